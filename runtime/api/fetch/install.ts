// Installs the Fetch Standard's classes and the global fetch() (fetch.ts).
import { exposeFunction, exposeInterface } from '../globals.ts';
import { Headers } from './headers.ts';
import { Request } from './request.ts';
import { Response } from './response.ts';
import { FormData } from './form-data.ts';
import { fetch } from './fetch.ts';

export function install(): void {
  exposeInterface('Headers', Headers);
  exposeInterface('Request', Request);
  exposeInterface('Response', Response);
  exposeInterface('FormData', FormData);
  exposeFunction('fetch', fetch);
}
