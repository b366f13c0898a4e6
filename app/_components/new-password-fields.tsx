import { FormField } from '@/app/_components/form-field';

interface NewPasswordFieldsProps {
  /** The form state's field errors; the fields read their own. */
  errors?: Record<string, string[] | undefined>;
  label?: string;
  name?: string;
  hint?: string;
}

/** A new password and its confirmation, as every form that sets one asks for them (set-up, invitation, change). */
export function NewPasswordFields({
  errors,
  label = 'Password',
  name = 'password',
  hint = 'At least 12 characters.',
}: NewPasswordFieldsProps) {
  return (
    <>
      <FormField
        label={label}
        name={name}
        type="password"
        autoComplete="new-password"
        required
        minLength={12}
        hint={hint}
        errors={errors?.[name]}
      />
      <FormField
        label={`Confirm ${label.toLowerCase()}`}
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        required
        errors={errors?.confirmPassword}
      />
    </>
  );
}
