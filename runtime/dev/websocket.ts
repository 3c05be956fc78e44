// A minimal WebSocket server endpoint (RFC 6455) on a node:http 'upgrade': text messages, ping/pong,
// close, fragmentation. Enough for the DevTools protocol; not a general-purpose implementation
// (no extensions, no subprotocols).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Largest message accepted from a client (DevTools sends small commands). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface WebSocketConnection {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  readonly closed: boolean;
  onMessage: (text: string) => void;
  onClose: () => void;
}

/** Completes the handshake on `socket`; returns undefined (after answering 400) if it is not a valid upgrade. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer): WebSocketConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  if (
    req.method !== 'GET' ||
    req.headers.upgrade?.toLowerCase() !== 'websocket' ||
    typeof key !== 'string' ||
    Buffer.from(key, 'base64').length !== 16 ||
    req.headers['sec-websocket-version'] !== '13'
  ) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return undefined;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new Connection(socket, head);
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (len < 126) header[1] = len;
  else if (len < 65536) {
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

class Connection implements WebSocketConnection {
  #socket: Duplex;
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #closed = false;
  onMessage: (text: string) => void = () => {};
  onClose: () => void = () => {};

  constructor(socket: Duplex, head: Buffer) {
    this.#socket = socket;
    (socket as Socket).setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => this.#finish());
    socket.on('error', () => this.#finish());
    if (head.length) this.#receive(head);
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(text: string): void {
    if (this.#closed) return;
    this.#socket.write(frame(0x1, Buffer.from(text, 'utf8')));
  }

  close(code = 1000, reason = ''): void {
    if (this.#closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.#socket.end(frame(0x8, payload));
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    (this.#socket as Socket).destroySoon?.();
    this.onClose();
  }

  #fail(code: number, reason: string): void {
    this.close(code, reason);
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    while (!this.#closed) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const fin = (b[0]! & 0x80) !== 0;
      const opcode = b[0]! & 0x0f;
      const masked = (b[1]! & 0x80) !== 0;
      let len = b[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        const big = b.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE_BYTES)) return this.#fail(1009, 'message too big');
        len = Number(big);
        offset = 10;
      }
      if ((b[0]! & 0x70) !== 0) return this.#fail(1002, 'no extensions were negotiated');
      // Clients must mask every frame (RFC 6455 §5.1).
      if (!masked) return this.#fail(1002, 'client frames must be masked');
      if (b.length < offset + 4 + len) return;
      const mask = b.subarray(offset, offset + 4);
      const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i & 3]!;
      this.#buffer = b.subarray(offset + 4 + len);
      this.#frame(fin, opcode, payload);
    }
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0: // continuation
      case 0x1: // text
      case 0x2: { // binary (DevTools sends text; accept binary as UTF-8 too)
        if (opcode !== 0x0 && this.#fragments.length) return this.#fail(1002, 'expected a continuation frame');
        if (opcode === 0x0 && !this.#fragments.length) return this.#fail(1002, 'unexpected continuation frame');
        this.#fragments.push(payload);
        this.#fragmentBytes += payload.length;
        if (this.#fragmentBytes > MAX_MESSAGE_BYTES) return this.#fail(1009, 'message too big');
        if (!fin) return;
        const message = Buffer.concat(this.#fragments).toString('utf8');
        this.#fragments = [];
        this.#fragmentBytes = 0;
        this.onMessage(message);
        return;
      }
      case 0x8: // close: echo the code and finish
        this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
        return;
      case 0x9: // ping
        if (!this.#closed) this.#socket.write(frame(0xa, payload));
        return;
      case 0xa: // pong
        return;
      default:
        this.#fail(1002, `unknown opcode ${opcode}`);
    }
  }
}

/** Client side, for tests: a masked text frame. */
export function clientFrame(text: string, opcode = 0x1, fin = true): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const len = payload.length;
  const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) header[1] = 0x80 | len;
  else if (len < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(len, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i & 3]!;
  return Buffer.concat([header, mask, masked]);
}
