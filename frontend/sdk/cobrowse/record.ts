// The recorder (in tapline-cobrowse.js, with rrweb): started only after the customer allowed
// it, stopped at once. Fields the masking rules mask are marked before rrweb sees them: this
// observer is made before rrweb's, so it runs first for every change.

import { record } from "@rrweb/record";
import { markMaskedFields, privacyOptions } from "./privacy";

export type Recorder = (emit: (event: object) => void) => () => void;

export const startRecording: Recorder = (emit) => {
  const marker = new MutationObserver((records) => {
    for (const rec of records) {
      for (const node of rec.addedNodes) {
        if (node instanceof Element) markMaskedFields(node.parentNode ?? node);
      }
    }
  });
  marker.observe(document, { childList: true, subtree: true });
  markMaskedFields(document);
  const stop = record({ emit: (event) => emit(event), ...privacyOptions() });
  return () => {
    marker.disconnect();
    stop?.();
  };
};
