/*! tapline widget and JS SDK: the core (docs/sdk.md). Works under a strict CSP (script-src
 * 'self'; style-src 'self'): the DOM is built with createElement/textContent only, styles
 * come from tapline.css inside a Shadow DOM. This file is what every page loads: the API, the
 * context (with form capture and masking) and the launcher. The panel (tapline-panel.js) is
 * fetched when the customer is about to open it or a request is in progress, and the
 * callbacks piece (tapline-callbacks.js) when a request needs it. */
import { install } from "./public";

install();
