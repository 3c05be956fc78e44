import { describe, expect, it } from 'vitest';
import { evalInIsolate } from '../support/isolate.ts';

describe('DOMException', () => {
  it('has spec names, legacy codes and is an Error of the isolate realm', async () => {
    const r = await evalInIsolate(`
      const e = new DOMException('boom', 'AbortError');
      const d = new DOMException();
      return {
        name: e.name, message: e.message, code: e.code, isError: e instanceof Error,
        tag: Object.prototype.toString.call(e), defName: d.name, defMsg: d.message, defCode: d.code,
        constant: DOMException.ABORT_ERR, protoConst: e.DATA_CLONE_ERR,
        ownMessage: Object.prototype.hasOwnProperty.call(e, 'message'),
        str: String(e),
        illegal: (() => { try { Object.getOwnPropertyDescriptor(DOMException.prototype, 'name').get.call({}); } catch (x) { return x instanceof TypeError; } })(),
      };
    `);
    expect(r).toEqual({
      name: 'AbortError', message: 'boom', code: 20, isError: true, tag: '[object DOMException]',
      defName: 'Error', defMsg: '', defCode: 0, constant: 20, protoConst: 25, ownMessage: false,
      str: 'AbortError: boom', illegal: true,
    });
  });
  it('navigator.userAgent is a single product token and self is the global', async () => {
    expect(await evalInIsolate(`return [navigator.userAgent, self === globalThis]`)).toEqual(['Isle', true]);
  });
});
