import { z } from 'zod';

const title = z.string().trim().min(1, 'title must not be empty').max(200);
const done = z.boolean();
const tags = z.array(z.string().trim().min(1).max(30)).max(10);
const due = z.iso.date();

/** What a client may send to create a task (POST) or replace one (PUT). Unknown keys are errors. */
export const TaskInput = z.strictObject({
  title,
  done: done.default(false),
  tags: tags.default([]),
  due: due.optional(),
});

/** PATCH: any subset of the fields (no defaults: what is not sent stays as it is), at least one. */
export const TaskPatch = z.strictObject({
  title: title.optional(),
  done: done.optional(),
  tags: tags.optional(),
  due: due.optional(),
}).refine((patch) => Object.keys(patch).length > 0, { message: 'send at least one field to change' });

export const ListQuery = z.object({
  done: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  tag: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

export type TaskInput = z.infer<typeof TaskInput>;

export interface Task extends TaskInput {
  id: number;
  createdAt: string;
  updatedAt: string;
}

/** zod's issues as the 400 body lists them: where, and what is wrong. */
export function details(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
}
