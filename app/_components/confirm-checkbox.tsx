/** A checkbox the admin ticks to confirm something, with its error tied to it (and focused by the form on error). */
export function ConfirmCheckbox({
  name,
  value = 'yes',
  errors,
  className = '',
  children,
}: {
  name: string;
  value?: string | number;
  errors?: string[];
  className?: string;
  children: React.ReactNode;
}) {
  const errorId = `${name}-error`;
  return (
    <>
      <label className={`flex gap-2 text-sm ${className}`}>
        <input
          type="checkbox"
          name={name}
          value={value}
          aria-invalid={errors ? true : undefined}
          aria-describedby={errors ? errorId : undefined}
          className="mt-0.5"
        />
        <span>{children}</span>
      </label>
      {errors ? (
        <p id={errorId} className="text-sm text-red-700">
          {errors.join(' ')}
        </p>
      ) : null}
    </>
  );
}
