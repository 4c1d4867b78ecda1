/** What a seeded receipt says. */
export interface ReceiptLines {
  title: string;
  lines: string[];
}

/** A PDF literal string: backslashes and parentheses escaped, anything outside printable ASCII dropped. */
function pdfText(text: string): string {
  return `(${text.replace(/[^\x20-\x7e]/g, '').replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/**
 * A one-page PDF 1.4 with the receipt's lines in Helvetica: small (under 1 KB) and valid (byte offsets in the
 * cross-reference table), so a PDF reader or a parser in the code under test opens it.
 */
export function receiptPdf(receipt: ReceiptLines): Uint8Array {
  const text = [receipt.title, ...receipt.lines]
    .map((line, i) => `BT /F1 ${i === 0 ? 16 : 11} Tf 36 ${250 - i * 22} Td ${pdfText(line)} Tj ET`)
    .join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 300] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}
