/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
];

const nextConfig = {
  poweredByHeader: false,
  // Native, wasm or stream-heavy server libraries run from node_modules instead of being bundled
  // (PGlite's wasm in particular must not be bundled).
  serverExternalPackages: [
    '@electric-sql/pglite',
    'postgres',
    'pino',
    'imapflow',
    'mailparser',
    'nodemailer',
    '@azure/msal-node',
  ],
  // Migrations are read at run time (embedded mode migrates on start), so deployments must ship them.
  outputFileTracingIncludes: { '/**': ['./drizzle/**/*'] },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
