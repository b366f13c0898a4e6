import 'server-only';
import NextAuth, { CredentialsSignin } from 'next-auth';
import { encode } from 'next-auth/jwt';
import Credentials from 'next-auth/providers/credentials';
import { getEnv } from '@/lib/config/env';
import { checkCredentials } from '@/lib/auth/credentials';
import { authLogger } from '@/lib/auth/auth-logger';
import { endSession, resumeSession, sessionPolicy, startSession } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';

export class SignInRateLimited extends CredentialsSignin {
  override code = 'rate_limited';
}

/** The password was right; the code carries the ticket the second step signs in with (lib/auth/two-factor.ts). */
export class SecondFactorRequired extends CredentialsSignin {
  constructor(ticket: string) {
    super();
    this.code = `second_factor:${ticket}`;
  }
}

/** What the session cookie carries besides the admin's id: which server-side session it is, and when it ends. */
interface SessionClaims {
  sub?: string;
  sid?: string;
  /** The session's absolute end, in seconds since the epoch. */
  ends?: number;
}

// Lazy so the secret is read at request time (it may be generated into the data folder on first start).
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: getEnv().AUTH_SECRET,
  // Auth.js builds its URLs from AUTH_URL, which the server sets to the public URL at start
  // (lib/config/base-url.ts alignServerUrls), so a forwarded host is never used in production. Only in
  // development, without APP_BASE_URL, does it fall back to the request's host.
  trustHost: true,
  // The cookie lives as long as the idle timeout; the server-side session (lib/auth/sessions.ts) decides.
  session: { strategy: 'jwt', maxAge: sessionPolicy().idleSeconds },
  jwt: {
    // Auth.js re-issues the cookie with a fresh expiry on every session read; it never outlives the session.
    async encode(params) {
      const ends = (params.token as SessionClaims | undefined)?.ends;
      const left = ends ? Math.max(0, ends - Math.floor(Date.now() / 1000)) : 0;
      return encode({ ...params, maxAge: Math.min(params.maxAge ?? left, left) });
    },
  },
  pages: { signIn: '/sign-in', error: '/sign-in' },
  logger: authLogger,
  providers: [
    Credentials({
      credentials: { email: {}, password: {}, ticket: {}, code: {} },
      async authorize(credentials, request) {
        const result = await checkCredentials(credentials, request.headers);
        if (!result.ok) {
          if (result.reason === 'rate_limited') throw new SignInRateLimited();
          if (result.reason === 'code_required') throw new SecondFactorRequired(result.ticket);
          return null;
        }
        const session = await startSession(await getDb(), {
          adminId: result.admin.id,
          headers: request.headers,
          client: result.client,
        });
        return {
          id: result.admin.id,
          email: result.admin.email,
          name: result.admin.name,
          sid: session.id,
          ends: Math.floor(session.expiresAt.getTime() / 1000),
        };
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      const claims = token as typeof token & SessionClaims;
      const signedIn = user as (typeof user & SessionClaims & { id?: string }) | undefined;
      if (signedIn?.id && signedIn.sid) {
        return { ...token, sub: signedIn.id, sid: signedIn.sid, ends: signedIn.ends };
      }
      // A cookie from before server-side sessions, or one that names none, signs nobody in.
      if (!claims.sub || !claims.sid) return null;
      const live = await resumeSession(await getDb(), claims.sid, claims.sub);
      return live ? { ...token, ends: Math.floor(live.expiresAt.getTime() / 1000) } : null;
    },
    session({ session, token }) {
      const claims = token as typeof token & SessionClaims;
      if (claims.sub) session.user.id = claims.sub;
      return Object.assign(session, { sessionId: claims.sid });
    },
  },
  events: {
    async signOut(message) {
      const claims = ('token' in message ? message.token : null) as SessionClaims | null;
      if (claims?.sid && claims.sub) await endSession(await getDb(), claims.sid, claims.sub);
    },
  },
}));

/** The server-side session id of the signed-in browser, or undefined. */
export async function currentSessionId(): Promise<string | undefined> {
  const session = (await auth()) as { sessionId?: string } | null;
  return session?.sessionId;
}
