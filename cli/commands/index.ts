import type { CommandDef } from '../command.ts';
import { buildCommand } from './build.ts';
import { devCommand } from './dev.ts';

/** Every command, in help order. */
export const commands: CommandDef[] = [devCommand, buildCommand];
