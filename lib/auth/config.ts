import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { getEnv } from '@/lib/config/env';
import { checkCredentials } from '@/lib/auth/credentials';
import { authLogger } from '@/lib/auth/auth-logger';

export class SignInRateLimited extends CredentialsSignin {
  override code = 'rate_limited';
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

// Lazy so the secret is read at request time (it may be generated into the data folder on first start).
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getEnv().AUTH_SECRET,
  // Auth.js builds its URLs from AUTH_URL, which the server sets to the public URL at start
  // (lib/config/base-url.ts alignServerUrls), so a forwarded host is never used in production. Only in
  // development, without APP_BASE_URL, does it fall back to the request's host.
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  logger: authLogger,
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const result = await checkCredentials(credentials, request.headers);
        if (result.ok) return { id: result.admin.id, email: result.admin.email, name: result.admin.name };
        if (result.reason === 'rate_limited') throw new SignInRateLimited();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
}));
