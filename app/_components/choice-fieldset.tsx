interface Choice<V extends string> {
  value: V;
  label: string;
  hint: string;
}

/**
 * Native radios in a fieldset: arrow keys move between the choices and Tab leaves the group, as every browser and
 * screen reader expects. The error is tied to the group with aria-describedby.
 */
export function ChoiceFieldset<V extends string>({
  name,
  legend,
  choices,
  value,
  onChange,
  errors,
}: {
  name: string;
  legend: string;
  choices: readonly Choice<V>[];
  value: V;
  onChange: (value: V) => void;
  errors?: string[];
}) {
  const errorId = `${name}-error`;
  return (
    <fieldset aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-2 space-y-2">
        {choices.map((choice) => (
          <label key={choice.value} className="flex gap-2 text-sm">
            <input
              type="radio"
              name={name}
              value={choice.value}
              checked={value === choice.value}
              onChange={() => onChange(choice.value)}
            />
            <span>
              <span className="font-medium">{choice.label}</span>
              <span className="block text-xs text-slate-600">{choice.hint}</span>
            </span>
          </label>
        ))}
      </div>
      {errors?.length ? (
        <p id={errorId} className="mt-1 text-sm text-red-700">
          {errors.join(' ')}
        </p>
      ) : null}
    </fieldset>
  );
}
