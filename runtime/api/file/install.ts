// Installs the File API's classes.
import { exposeInterface } from '../globals.ts';
import { Blob } from './blob.ts';
import { File } from './file.ts';
import './serialize.ts';

export function install(): void {
  exposeInterface('Blob', Blob);
  exposeInterface('File', File);
}
