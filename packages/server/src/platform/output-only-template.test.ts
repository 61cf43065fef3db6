import fc from 'fast-check';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { LiquidTemplates } from './liquid-templates.js';
import { compileOutputOnly } from './output-only-template.js';

const limits = {
  renderLimitMs: 1000,
  parseLimit: 100_000,
  memoryLimit: 10_000_000,
  cacheSize: 100,
};

/** LiquidJS set up as LiquidTemplates sets it up: the reference. */
function referenceLiquid(escapeHtml: boolean): Liquid {
  return new Liquid({
    templates: {},
    relativeReference: false,
    ...(escapeHtml && { outputEscape: 'escape' }),
    ownPropertyOnly: true,
    parseLimit: limits.parseLimit,
    renderLimit: limits.renderLimitMs,
    memoryLimit: limits.memoryLimit,
  });
}

const names = [
  'traits',
  'context',
  'stage',
  'name',
  'plan',
  'x_1',
  'size',
  'first',
  'nil',
  'true',
  'constructor',
  'toString',
  '__proto__',
  'length',
  'toLiquid',
] as const;
const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('traits', 'name', 'plan') },
  { weight: 1, arbitrary: fc.constantFrom(...names) },
);
const htmlish = fc.string({
  unit: fc.constantFrom('a', 'Z', ' ', '<', '>', '&', '"', "'", '0', '-', 'é'),
});
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    htmlish,
    fc.constant(''),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.constant(-0),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  // Built from JSON, as stored traits are, so `__proto__` can be an own key.
  object: fc
    .array(fc.tuple(name, tie('value')), { maxLength: 4 })
    .map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as object),
})).value;
const scope = fc
  .array(fc.tuple(name, jsonValue), { maxLength: 6 })
  .map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as object);

const literal = fc.oneof(
  htmlish.filter((s) => !/["\\{}]/.test(s)).map((s) => `"${s}"`),
  htmlish.filter((s) => !/['\\{}]/.test(s)).map((s) => `'${s}'`),
);
const space = fc.constantFrom('', ' ', '  ');
const filter = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(space, literal).map(([s, lit]) => `default:${s}${lit}`) },
  { weight: 1, arbitrary: fc.constant('raw') },
  // Outside what the renderer takes: LiquidJS must get these.
  {
    weight: 1,
    arbitrary: fc.constantFrom('upcase', 'default: 1', 'default: nil', 'escape', 'size'),
  },
);
const output = fc
  .tuple(
    fc.constantFrom('{{', '{{', '{{', '{{-'),
    space,
    fc.array(name, { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(space, filter, space), { maxLength: 3 }),
    space,
    fc.constantFrom('}}', '}}', '}}', '-}}'),
  )
  .map(
    ([open, s1, path, filters, s2, close]) =>
      `${open}${s1}${path.join('.')}${filters.map(([a, f, b]) => `${a}|${b}${f}`).join('')}${s2}${close}`,
  );
const text = fc.string({
  unit: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('a', ' ', '\n', '<', '&', '!') },
    { weight: 1, arbitrary: fc.constantFrom('}', '%', '{') },
  ),
});
const template = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: text },
      { weight: 4, arbitrary: output },
      { weight: 1, arbitrary: fc.constant('{% if true %}x{% endif %}') },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

describe('compileOutputOnly', () => {
  it('renders exactly what LiquidJS renders, whenever it renders at all', () => {
    let rendersOwn = 0;
    for (const escapeHtml of [true, false]) {
      const reference = referenceLiquid(escapeHtml);
      const templates = new LiquidTemplates({ ...limits, escapeHtml });
      fc.assert(
        fc.property(template, scope, (source, data) => {
          let expected: string;
          try {
            expected = reference.parseAndRenderSync(source, data) as string;
          } catch {
            return; // Not a template (a stray `{{`): refused when it is defined.
          }
          const own = compileOutputOnly(source, { escapeHtml, maxLength: limits.memoryLimit });
          const rendered = own?.(data);
          if (rendered !== undefined) {
            expect(rendered).toBe(expected);
            if (source.includes('{{')) rendersOwn++;
          }
          expect(templates.render(source, data)).toBe(expected);
        }),
        { numRuns: 2000 },
      );
    }
    // The comparison is worth something only if many templates with outputs got here.
    expect(rendersOwn).toBeGreaterThan(150);
  });

  it('takes text and outputs of paths with default and raw, and renders plain values', () => {
    const outputs = fc
      .tuple(
        // A trait, or a name the scope lacks (nothing).
        fc.constantFrom(['traits', 'name'], ['traits', 'plan'], ['traits', 'x_1'], ['plan']),
        fc.array(
          literal.map((lit) => `default: ${lit}`),
          { maxLength: 2 },
        ),
        fc.boolean(),
      )
      .map(
        ([path, defaults, raw]) =>
          `{{ ${[path.join('.'), ...defaults, ...(raw ? ['raw'] : [])].join(' | ')} }}`,
      );
    const plain = fc.oneof(htmlish, fc.integer(), fc.boolean(), fc.constant(null));
    const record = fc.dictionary(fc.constantFrom('name', 'plan', 'x_1'), plain);
    const reference = referenceLiquid(true);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            text.filter((t) => !/[{]/.test(t)),
            outputs,
          ),
          { maxLength: 5 },
        ),
        fc.record({ traits: record }),
        (parts, data) => {
          const source = parts.join('');
          const own = compileOutputOnly(source, { escapeHtml: true, maxLength: 1_000_000 });
          expect(own).not.toBeNull();
          const rendered = own?.(data);
          expect(rendered).toBe(reference.parseAndRenderSync(source, data));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('escapes outputs unless they end in raw, and leaves text alone', () => {
    const own = compileOutputOnly(
      '<b>Hi {{ traits.name | default: "there" }}</b> {{ traits.html | raw }}',
      {
        escapeHtml: true,
        maxLength: 1000,
      },
    );
    expect(own?.({ traits: { name: '<Ann & "Bo">', html: '<i>x</i>' } })).toBe(
      '<b>Hi &lt;Ann &amp; &#34;Bo&#34;&gt;</b> <i>x</i>',
    );
    expect(own?.({ traits: {} })).toBe('<b>Hi there</b> ');
  });

  it('applies default as Liquid does: to nil, false and empty strings, not to 0', () => {
    const own = compileOutputOnly('{{ traits.v | default: "d" }}', {
      escapeHtml: true,
      maxLength: 1000,
    });
    const render = (v: unknown) => own?.({ traits: { v } });
    expect([render(''), render(null), render(false), render(undefined)]).toEqual([
      'd',
      'd',
      'd',
      'd',
    ]);
    expect([render(0), render(true), render('x')]).toEqual(['0', 'true', 'x']);
  });

  it('leaves tags, whitespace control, other filters and special names to LiquidJS', () => {
    const options = { escapeHtml: true, maxLength: 1000 };
    for (const source of [
      '{% if traits.vip %}VIP{% endif %}',
      '{{- traits.name }}',
      '{{ traits.name -}}',
      '{{ traits.name | upcase }}',
      '{{ traits.name | raw | default: "x" }}',
      '{{ traits.tags.size }}',
      '{{ traits["name"] }}',
      '{{ true }}',
      '{{ traits.name ',
    ])
      expect(compileOutputOnly(source, options), source).toBeNull();
  });

  it('answers undefined for values it does not render, and for output past maxLength', () => {
    const own = compileOutputOnly('{{ traits.v }}', { escapeHtml: true, maxLength: 5 });
    expect(own?.({ traits: { v: ['a', 'b'] } })).toBeUndefined();
    expect(own?.({ traits: { v: { a: 1 } } })).toBeUndefined();
    expect(own?.({ traits: { v: 'abcdef' } })).toBeUndefined();
    expect(own?.({ traits: { v: 'abcde' } })).toBe('abcde');
    expect(
      compileOutputOnly('{{ traits.v.w }}', { escapeHtml: true, maxLength: 9 })?.({
        traits: { v: 'str' },
      }),
    ).toBeUndefined();
  });
});
