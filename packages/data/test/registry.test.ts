// The registry every plug-in point uses: order, refusals, and each registry's own messages.
import { LOWER_CASE_NAME, lowerCaseNameMessages, Registry } from '../src/index.js';

class ThingError extends Error {}

const things = () =>
  new Registry<{ n: number }>({
    builtins: [
      ['b', { n: 1 }],
      ['a', { n: 2 }],
    ],
    pattern: LOWER_CASE_NAME,
    error: ThingError,
    messages: lowerCaseNameMessages('registerThing', 'thing'),
    check: (name, v) => {
      if (v.n < 0) throw new ThingError(`registerThing: '${name}': negative`);
      return { n: v.n * 10 };
    },
  });

test('built-ins first, then registration order; check may replace the stored value', () => {
  const r = things();
  r.register('c', { n: 3 });
  expect(r.names()).toEqual(['b', 'a', 'c']);
  expect(r.values()).toEqual([{ n: 1 }, { n: 2 }, { n: 30 }]);
  expect(r.has('c')).toBe(true);
  expect(r.find('zz')).toBeUndefined();
  expect(r.unregister('c')).toBe(true);
  expect(r.unregister('c')).toBe(false);
});

test('refusals throw the registry error with its messages, in the order name, check, taken', () => {
  const r = things();
  const refused = (f: () => void) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ThingError);
      return (e as Error).message;
    }
    throw new Error('not refused');
  };
  expect(refused(() => r.register('Bad', { n: 1 }))).toBe(
    `registerThing: name: expected lower-case letters, digits or '-', got "Bad"`,
  );
  expect(refused(() => r.register(undefined, { n: 1 }))).toBe(
    `registerThing: name: expected lower-case letters, digits or '-', got undefined`,
  );
  expect(refused(() => r.register('a', { n: -1 }))).toBe(`registerThing: 'a': negative`);
  expect(refused(() => r.register('a', { n: 1 }))).toBe(
    `registerThing: 'a' is already registered (pass { replace: true } to replace it)`,
  );
  expect(refused(() => r.get('x'))).toBe(`unknown thing 'x' (known: b, a)`);
  r.register('a', { n: 5 }, { replace: true });
  expect(r.get('a')).toEqual({ n: 50 });
  expect(r.names()).toEqual(['b', 'a']);
});
