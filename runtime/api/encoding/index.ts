// Internal helpers of the Encoding area for other areas (fetch bodies, URLs, data: URLs, …).
export { forgivingBase64Decode, base64Encode, isomorphicDecode } from './base64.ts';
export { utf8Decode, utf8DecodeWithoutBOM, utf8DecodeWithoutBOMOrFail, createDecoder, type Decoder } from './decoders.ts';
export { utf8Encode } from './utf8.ts';
export { getEncodingName } from './labels.ts';
export { TextEncoder } from './text-encoder.ts';
export { TextDecoder, bufferSourceBytes } from './text-decoder.ts';
