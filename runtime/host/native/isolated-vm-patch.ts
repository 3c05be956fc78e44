// Isle's one change to isolated-vm 7's C++ sources, applied by build-isolated-vm.ts at install.
//
// Why: isolated-vm makes a "default context" for its own bookkeeping in every new Isolate, with
// `Context::New`, which deserializes the snapshot's default context: with Isle's prelude that is the
// whole prelude a second time. Measured (2-core machine, 450 KB prelude): 1.0–1.3 ms and ~540 KB of
// heap per isolate, about a sixth of a request's cost in request isolation, for a context no tenant
// code ever runs in.
//
// What: snapshots keep an empty default context and store the scripts' context as snapshot context
// #0 (`SnapshotCreator::AddContext`); the library's own default context is made from the empty one,
// and `createContext()` is made from context #0 (`Context::FromSnapshot`) when the isolate's snapshot
// has one, as before otherwise. The JavaScript API does not change.
//
// Each edit names the exact text it replaces: if isolated-vm's sources differ (another version),
// the build stops and the stock addon is used.

export interface SourceEdit {
  /** Path inside the isolated-vm package. */
  file: string;
  find: string;
  replace: string;
}

export const PATCHED_ISOLATED_VM_VERSION = '7.0.1';

export const ISOLATED_VM_EDITS: readonly SourceEdit[] = [
  {
    file: 'src/isolate/environment.h',
    find: '\t\tauto NewContext() -> v8::Local<v8::Context>;\n',
    replace: '\t\tauto NewContext() -> v8::Local<v8::Context>;\n'
      + '\t\t/** The library\'s own default context: always the snapshot\'s (empty) default context. */\n'
      + '\t\tauto NewDefaultContext() -> v8::Local<v8::Context>;\n',
  },
  {
    file: 'src/isolate/environment.cc',
    find: '\t\tdefault_context.Reset(isolate, NewContext());\n',
    replace: '\t\tdefault_context.Reset(isolate, NewDefaultContext());\n',
  },
  {
    file: 'src/isolate/environment.cc',
    find: 'auto IsolateEnvironment::NewContext() -> Local<Context> {\n'
      + '\tauto context =\n'
      + '\tContext::New(isolate, nullptr, {}, {}, &DeserializeInternalFieldsCallback);\n',
    replace: 'auto IsolateEnvironment::NewDefaultContext() -> Local<Context> {\n'
      + '\tauto context = Context::New(isolate, nullptr, {}, {}, &DeserializeInternalFieldsCallback);\n'
      + '\tcontext->AllowCodeGenerationFromStrings(false);\n'
      + '\treturn context;\n'
      + '}\n'
      + '\n'
      + 'auto IsolateEnvironment::NewContext() -> Local<Context> {\n'
      + '\t// Snapshots made by this build hold their scripts\' context as snapshot context #0.\n'
      + '\tLocal<Context> from_snapshot;\n'
      + '\tif (snapshot_blob_ptr && Context::FromSnapshot(isolate, 0, &DeserializeInternalFieldsCallback).ToLocal(&from_snapshot)) {\n'
      + '\t\tfrom_snapshot->AllowCodeGenerationFromStrings(false);\n'
      + '\t\treturn from_snapshot;\n'
      + '\t}\n'
      + '\tauto context =\n'
      + '\tContext::New(isolate, nullptr, {}, {}, &DeserializeInternalFieldsCallback);\n',
  },
  {
    file: 'src/module/isolate_handle.cc',
    find: '\t\t\tLocal<Context> context = Context::New(isolate);\n'
      + '\t\t\tsnapshot_creator.SetDefaultContext(context, {&SerializeInternalFieldsCallback, nullptr});\n',
    replace: '\t\t\tsnapshot_creator.SetDefaultContext(Context::New(isolate), {&SerializeInternalFieldsCallback, nullptr});\n'
      + '\t\t\tLocal<Context> context = Context::New(isolate);\n',
  },
  {
    file: 'src/module/isolate_handle.cc',
    find: '\t\t\tisolate->ContextDisposedNotification(false);\n\n\t\t\t// Run all queued tasks\n',
    replace: '\t\t\tisolate->ContextDisposedNotification(false);\n'
      + '\t\t\tsnapshot_creator.AddContext(context, {&SerializeInternalFieldsCallback, nullptr});\n\n'
      + '\t\t\t// Run all queued tasks\n',
  },
];
