import type { CommandDef } from '../command.ts';
import { buildCommand } from './build.ts';
import { deployCommand } from './deploy.ts';
import { devCommand } from './dev.ts';
import { initCommand } from './init.ts';
import { secretCommand } from './secret.ts';
import { serveCommand } from './serve.ts';
import { tailCommand } from './tail.ts';
import { tenantCommand, tokenCommand } from './tenant.ts';
import { deleteCommand, rollbackCommand, versionsCommand } from './versions.ts';

/** Every command, in help order. */
export const commands: CommandDef[] = [
  initCommand, devCommand, buildCommand, deployCommand, versionsCommand, rollbackCommand, secretCommand, tailCommand,
  deleteCommand, serveCommand, tenantCommand, tokenCommand,
];
