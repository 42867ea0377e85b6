/**
 * Parses a `sha256sum` listing ("<64 hex digits>  <name>", or " *<name>" in binary mode) into name → digest.
 * Throws on a line it cannot read, so a damaged listing fails the check instead of shrinking it.
 */
export function parseSha256Sums(text: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!match) throw new Error(`not a sha256sum line: ${JSON.stringify(line)}`);
    sums[match[2]!] = match[1]!;
  }
  return sums;
}
