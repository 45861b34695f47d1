/**
 * Redaction of personal data in free text (ingest.md, "Privacy"): e-mail addresses, IPv4/IPv6
 * addresses and file-system paths that usually carry a user name. It runs on every event's `name`
 * and property strings, so the common case — a plain feature name — must cost one short scan.
 *
 * Every pattern is anchored by a lookbehind to the start of a token, so a scan over hostile input
 * stays linear: no pattern can restart inside a run it already rejected.
 */

/** What a redacted span is replaced by. */
export const REDACTED = '[redacted]';

// Characters that end a path: whitespace and quotes (a path has no other delimiter we can trust).
const PATH_END = `\\s"'\``;

/**
 * Windows drive paths (`C:\Users\…`, also `C:/…` as Node and Electron print them) and UNC paths
 * (`\\server\share…`, including `\\?\C:\…`). The drive letter must start a token so `http://`
 * is not a path.
 */
const WINDOWS_PATH_RE = new RegExp(
  `(?<![\\w])[A-Za-z]:[\\\\/][^${PATH_END}]*|\\\\\\\\[^${PATH_END}\\\\]+\\\\[^${PATH_END}]*`,
  'g',
);

/**
 * Unix paths under the roots that hold user or machine data. A bare root (`/home`) names nobody,
 * and an API route such as `/api/users/1` does not start a token, so neither is redacted.
 * `/Users` is matched case-sensitively: a lower-case `/users/42` is far more often a web route.
 */
const UNIX_PATH_RE = new RegExp(
  `(?<![\\w.~-])/(?:home|Users|root|tmp|var|etc|opt|mnt|media|private)/[^${PATH_END}]+`,
  'g',
);

/**
 * `local@domain.tld` with Unicode letters on both sides (a partly matched `jörg@…` would leak
 * `jö`). The local part must start a token, which keeps the scan linear on long runs without `@`.
 */
const EMAIL_RE = /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

const OCTET = '(?:25[0-5]|2[0-4]\\d|[01]?\\d?\\d)';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;

/**
 * Dotted quads that are not part of a longer dotted number: `1.2.3.4.5` is a version, `1.2.3` too.
 * A four-part version whose parts are all <= 255 cannot be told from an address and is redacted.
 */
const IPV4_RE = new RegExp(`(?<![\\d.])${IPV4}(?!\\.?\\d)`, 'g');

const H = '[0-9A-Fa-f]{1,4}';
/**
 * IPv6 in full (8 groups) and compressed (`::`) form, with an optional embedded IPv4 tail and zone
 * (`fe80::1%eth0`). Times such as `12:30:45` have neither 8 groups nor `::`, so they never match.
 * The lookahead requiring a digit keeps hex-looking identifiers like `dead::beef` or `Add::Ab`
 * (C++/Rust paths in exception names) intact; real addresses practically always contain one.
 * Alternatives with an IPv4 tail come first because JS alternation is first-match, not longest.
 */
const IPV6_RE = new RegExp(
  '(?<![\\w:.])(?=[0-9A-Fa-f:.]*\\d)(?:' +
    [
      `(?:${H}:){6}${IPV4}`,
      `(?:${H}(?::${H}){0,4})?::(?:${H}:){0,4}${IPV4}`,
      `(?:${H}:){7}${H}`,
      `(?:${H}(?::${H}){0,6})?::(?:${H}(?::${H}){0,6})?`,
    ].join('|') +
    `)(?:%[0-9A-Za-z._~-]+)?(?![\\w:]|\\.\\d)`,
  'g',
);

/**
 * Cheap pre-check: without one of these shapes no pattern above can match. `\d\.\d` is the only
 * way into the IPv4 pattern; every other pattern needs `@`, `:`, `/` or `\`.
 */
const MAY_CONTAIN_PII_RE = /[@:/\\]|\d\.\d/;

/**
 * Replaces e-mail addresses, IPv4/IPv6 addresses and file-system paths in `text` with
 * `[redacted]`. A path runs up to the next whitespace or quote. Text without any of them is
 * returned as is.
 *
 * @example
 * scrubText('open C:\\Users\\ana\\report.pdf failed for ana@example.com')
 * // => 'open [redacted] failed for [redacted]'
 * scrubText('export_pdf') // => 'export_pdf'
 */
export function scrubText(text: string): string {
  if (!MAY_CONTAIN_PII_RE.test(text)) return text;
  let out = text;
  // Paths first: they may contain `@`, dots and digits that the later patterns would split.
  if (out.includes(':\\') || out.includes(':/') || out.includes('\\\\')) {
    out = out.replace(WINDOWS_PATH_RE, REDACTED);
  }
  if (out.includes('/')) out = out.replace(UNIX_PATH_RE, REDACTED);
  if (out.includes('@')) out = out.replace(EMAIL_RE, REDACTED);
  // IPv6 before IPv4 so `::ffff:10.0.0.1` goes as one address.
  if (out.includes(':')) out = out.replace(IPV6_RE, REDACTED);
  out = out.replace(IPV4_RE, REDACTED);
  return out;
}
