/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A hidden form field. `completeAuthorization` reads these back in this exact shape. */
export function hiddenField(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/**
 * A full page. `step` names the page for `completeAuthorization` (a `<meta name="qonto-sandbox-step">`), so it
 * never has to guess from the wording.
 */
export function page(o: { title: string; step: string; body: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="qonto-sandbox-step" content="${escapeHtml(o.step)}">
<title>${escapeHtml(o.title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f5f2;color:#1d1d1b;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.8rem 0 .3rem}
input[type=email],input[type=password],input[type=text]{width:100%;padding:.6rem;box-sizing:border-box;font-size:1rem}
button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem;border-radius:8px;border:0;background:#1d1d1b;color:#fff;cursor:pointer}
button.secondary{background:#e4e2dc;color:#1d1d1b}
.error{background:#fde8e8;color:#8a1c1c;padding:.6rem;border-radius:8px}
.note{color:#66645d;font-size:.9rem}
code{background:#f0eee9;padding:0 .2rem;border-radius:4px}
table{border-collapse:collapse}td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #eee}
</style>
</head>
<body>
<main>
<p class="note">Qonto sandbox emulator (@qonto-oauth/sandbox)</p>
${o.body}
</main>
</body>
</html>
`;
}
