// The prelude: everything that runs inside a tenant isolate before tenant code.
// Bundled by esbuild (runtime/host/prelude.ts) into one script and baked into the startup snapshot.
// Order matters only where one area's install uses another's classes at install time.
import { install as installWebIDL } from './webidl/install.ts';
import { install as installEvents } from './events/install.ts';
import { install as installAbort } from './abort/install.ts';
import { install as installMessaging } from './messaging/install.ts';
import { install as installEncoding } from './encoding/install.ts';
import { install as installURL } from './url/install.ts';
import { install as installStreams } from './streams/install.ts';
import { install as installFile } from './file/install.ts';
import { install as installFetch } from './fetch/install.ts';
import { install as installConsole } from './console/install.ts';
import { install as installTimers } from './timers/install.ts';
import { install as installPerformance } from './performance/install.ts';
import { install as installCrypto } from './crypto/install.ts';
import { install as installCompression } from './compression/install.ts';
import { install as installWasm } from './wasm/install.ts';
import { install as installNavigator } from './navigator/install.ts';
import { install as installWorker } from './worker/install.ts';
import { defineBoot } from './boot.ts';

installWebIDL();
installEvents();
installAbort();
installMessaging();
installEncoding();
installURL();
installStreams();
installFile();
installFetch();
installConsole();
installTimers();
installPerformance();
installCrypto();
installCompression();
installWasm();
installNavigator();
installWorker();
defineBoot();
