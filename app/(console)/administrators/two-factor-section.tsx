import { startEnrolment } from '@/lib/auth/two-factor';
import { formatDateTime } from '@/lib/format/date';
import { EnrolTwoFactorForm } from './enrol-two-factor-form';
import { TurnOffTwoFactorForm } from './turn-off-two-factor-form';

export function TwoFactorSection({
  admin,
  enabledAt,
  recoveryCodesLeft,
  required,
}: {
  admin: { id: string; email: string };
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
}) {
  return (
    <section id="two-factor" aria-labelledby="two-factor-heading" className="space-y-4">
      <h2 id="two-factor-heading" className="text-lg font-semibold text-slate-900">
        Two-factor sign-in
      </h2>
      {enabledAt ? (
        <>
          <p className="max-w-prose text-sm text-slate-700">
            On since {formatDateTime(enabledAt)}: signing in asks for a code from your authenticator app.{' '}
            {recoveryCodesLeft} recovery code{recoveryCodesLeft === 1 ? '' : 's'} left.
          </p>
          {required ? (
            <p className="text-sm text-slate-600">Required for every administrator of this console.</p>
          ) : (
            <TurnOffTwoFactorForm />
          )}
        </>
      ) : (
        <>
          {required ? (
            <p role="alert" className="max-w-prose text-sm font-medium text-amber-800">
              This console requires two-factor sign-in: set it up to continue.
            </p>
          ) : null}
          <EnrolTwoFactorForm enrolment={startEnrolment(admin)} />
        </>
      )}
    </section>
  );
}
