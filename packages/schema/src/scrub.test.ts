import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, scrubText } from './scrub.ts';

const R = REDACTED;

describe('scrubText: e-mail addresses', () => {
  it.each([
    ['ana@example.com', R],
    ['mail ana@example.com now', `mail ${R} now`],
    ['<ana.maria+tag@mail.example.co.uk>', `<${R}>`],
    ["o'brien@example.ie", R],
    ['jörg.müller@beispiel.de', R],
    ['a@b.c, d@e.f', `${R}, ${R}`],
    ['"ana_b-c%1@x-y.example"', `"${R}"`],
  ])('%s -> %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each(['@mention', 'a@b', 'price @ 5', 'user@localhost'])('leaves %s (no dotted domain)', (input) => {
    expect(scrubText(input)).toBe(input);
  });
});

describe('scrubText: IPv4', () => {
  it.each([
    ['10.0.0.1', R],
    ['from 192.168.1.254.', `from ${R}.`],
    ['10.0.0.1:8080', `${R}:8080`],
    ['http://203.0.113.9/path', `http://${R}/path`],
    ['ip=255.255.255.255', `ip=${R}`],
    ['0.0.0.0', R],
    ['010.001.000.001', R],
    ['a 1.2.3.4 b 5.6.7.8', `a ${R} b ${R}`],
  ])('%s -> %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each([
    ['a three-part version', '1.2.3'],
    ['a v-prefixed version', 'v2.10.0'],
    ['a five-part version', '1.2.3.4.5'],
    ['a four-part build number above 255', '10.0.19045.3803'],
    ['an octet above 255', '256.1.1.1'],
    ['a decimal', '3.14159'],
    ['a date', '2024.05.01'],
  ])('leaves %s', (_label, input) => {
    expect(scrubText(input)).toBe(input);
  });
});

describe('scrubText: IPv6', () => {
  it.each([
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', R],
    ['2001:db8::1', R],
    ['::1', R],
    ['fe80::1%eth0', R],
    ['fe80::', R],
    ['::ffff:192.0.2.128', R],
    ['64:ff9b::192.0.2.33', R],
    ['[2001:db8::1]:443', `[${R}]:443`],
    ['peer 2001:DB8:0:0:8:800:200C:417A closed', `peer ${R} closed`],
    ['1:2:3:4:5:6:7:8', R],
    ['1:2:3:4:5:6:1.2.3.4', R],
  ])('%s -> %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each([
    ['a time', '12:30'],
    ['a time with seconds', '12:30:45'],
    ['a timestamp', '2024-05-01T12:30:45.123+02:00'],
    ['a C++ scope', 'std::io::Error'],
    ['a hex-looking scope without digits', 'dead::beef'],
    ['a bare ::', 'a :: b'],
    ['a ratio', '16:9'],
    ['a key-value', 'mode:dark'],
  ])('leaves %s', (_label, input) => {
    expect(scrubText(input)).toBe(input);
  });
});

describe('scrubText: file-system paths', () => {
  it.each([
    ['C:\\Users\\ana\\Documents\\q3.xlsx', R],
    ['open D:\\data\\x.csv failed', `open ${R} failed`],
    ['C:/Users/ana/app.log', R],
    ['file:///C:/Users/ana/x', `file:///${R}`],
    ['"C:\\Users\\ana\\x"', `"${R}"`],
    ['\\\\fileserver\\share\\ana\\report.docx', R],
    ['\\\\?\\C:\\very\\long\\path', R],
    ['/home/ana/.config/app.json', R],
    ['/Users/ana/Library/Logs', R],
    ['/root/.ssh/id_rsa', R],
    ['cannot write /tmp/app-1234/cache', `cannot write ${R}`],
    ['/var/log/app.log: denied', `${R} denied`],
    ['/etc/hosts', R],
    ['/opt/acme/bin/acme', R],
    ['/mnt/c/Users/ana', R],
    ['/media/ana/USB', R],
    ['/private/var/folders/xy/T', R],
    ["'/home/ana/a b'", `'${R} b'`],
    ['file:///home/ana/x', `file://${R}`],
    ['/home/ana@example.com/x', R],
  ])('%s -> %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it.each([
    ['a bare root', '/home'],
    ['a web route', '/api/users/42'],
    ['a lower-case users route', '/users/42'],
    ['a URL path', 'https://example.com/home/ana'],
    ['a menu path', 'File/Open/Recent'],
    ['a ratio', 'a/b'],
    ['a relative path', 'src/home/x.ts'],
    ['a URL', 'https://example.com/docs'],
  ])('leaves %s', (_label, input) => {
    expect(scrubText(input)).toBe(input);
  });
});

describe('scrubText: ordinary text', () => {
  it.each([
    'export_pdf',
    'open settings',
    'toolbar.save',
    'NullReferenceException',
    'Save As…',
    'version 1.2.3 at 12:30',
    '',
    'v1.2',
    'dark_mode=on',
  ])('returns %j unchanged', (input) => {
    expect(scrubText(input)).toBe(input);
  });

  it('returns text without @ : / \\ or digit.digit unchanged', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcXYZ_-. 09ü€'.split('')) }).filter((s) => !/\d\.\d/.test(s));
    fc.assert(
      fc.property(plain, (s) => {
        expect(scrubText(s)).toBe(s);
      }),
      { seed: 3, numRuns: 2000 },
    );
  });

  it('removes a planted address wherever it sits', () => {
    const filler = fc.string({ unit: fc.constantFrom(...'ab _-,;()'.split('')), maxLength: 20 });
    const secret = fc.constantFrom('ana@example.com', '192.0.2.77', '2001:db8::77', 'C:\\Users\\ana', '/home/ana');
    fc.assert(
      fc.property(filler, secret, filler, (before, s, after) => {
        const out = scrubText(`${before} ${s} ${after}`);
        expect(out).not.toContain(s);
        expect(out).toContain(R);
      }),
      { seed: 5, numRuns: 2000 },
    );
  });

  it('is idempotent', () => {
    const text = fc.string({ unit: fc.constantFrom(...'a1.:/@\\ ef-_'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(text, (s) => {
        const once = scrubText(s);
        expect(scrubText(once)).toBe(once);
      }),
      { seed: 9, numRuns: 3000 },
    );
  });

  it('stays fast on long hostile input', () => {
    const hostile = ['a'.repeat(8000) + '@', '1:'.repeat(4000), 'a.'.repeat(4000) + '@', '::f'.repeat(3000), '\\\\'.repeat(4000)];
    const start = performance.now();
    for (const s of hostile) scrubText(s);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
