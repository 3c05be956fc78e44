// DOMException as WebIDL defines it now: (message, options | name), `cause`, inherited members.
import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('DOMException constructor', () => {
  it('takes a name or a DOMExceptionOptions dictionary with name and cause', async () => {
    const r = await evalInIsolate(`
      const own = (e) => ['name', 'message', 'cause', 'code'].filter((k) => Object.hasOwn(e, k));
      const d = (e) => [e.name, e.message, e.code, e.cause, own(e).length];
      const order = [];
      const e5 = new DOMException('m', { get name() { order.push('name'); return 'AbortError'; }, get cause() { order.push('cause'); return 1; } });
      const err = (f) => { try { f(); return 'ok'; } catch (x) { return x.constructor.name; } };
      const causeDesc = Object.getOwnPropertyDescriptor(DOMException.prototype, 'cause');
      return {
        none: d(new DOMException()), nul: d(new DOMException(null)), undef: d(new DOMException(undefined, undefined)),
        named: d(new DOMException('bar', 'NotSupportedError')), empty: d(new DOMException('bar', {})),
        dict: d(new DOMException('bar', { name: 'NotSupportedError', cause: 'foo' })), causeOnly: d(new DOMException('bar', { cause: 'foo' })),
        e5: d(e5), order, length: DOMException.length,
        symbol: err(() => new DOMException(Symbol())), symbolName: err(() => new DOMException('', { name: Symbol() })),
        causeDesc: [typeof causeDesc.get, causeDesc.set, causeDesc.enumerable, causeDesc.configurable],
        causeBrand: err(() => causeDesc.get.call({})),
        isError: typeof Error.isError === 'function' ? Error.isError(new DOMException()) : true,
        toString: String(new DOMException('message', 'name')),
        stackHead: new DOMException('m', 'AbortError').stack.split('\\n')[0],
        stackFrame: /test\\.js/.test(new DOMException('m').stack.split('\\n')[1]),
      };
    `);
    expect(r).toEqual({
      none: ['Error', '', 0, undefined, 0], nul: ['Error', 'null', 0, undefined, 0], undef: ['Error', '', 0, undefined, 0],
      named: ['NotSupportedError', 'bar', 9, undefined, 0], empty: ['Error', 'bar', 0, undefined, 0],
      dict: ['NotSupportedError', 'bar', 9, 'foo', 0], causeOnly: ['Error', 'bar', 0, 'foo', 0],
      e5: ['AbortError', 'm', 20, 1, 0], order: ['cause', 'name'], length: 0,
      symbol: 'TypeError', symbolName: 'TypeError',
      causeDesc: ['function', undefined, true, true], causeBrand: 'TypeError', isError: true,
      toString: 'name: message', stackHead: 'AbortError: m', stackFrame: true,
    });
  });
});
