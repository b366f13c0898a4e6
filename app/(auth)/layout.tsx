// These pages read the database (is there an admin yet?) on every request; never prerender them at build time.
export const dynamic = 'force-dynamic';

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return children;
}
