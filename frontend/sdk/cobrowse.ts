/*! tapline co-browse: records the host's page with rrweb, only after the customer allowed a
 * specialist to see it, with every input masked and the host's private parts blocked. The
 * panel loads it only when a specialist asks. See docs/sdk.md, "Co-browse". */
import { startRecording } from "./cobrowse/record";

const T = window.Tapline;
if (T && typeof T.__ext === "function") T.__ext("cobrowse", startRecording);
