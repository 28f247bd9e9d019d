/*! tapline panel: the help panel behind the launcher (describe; wait and choose a channel; the
 * conversation; the outcome and rating) and the request's socket. tapline.js loads it when the
 * customer is about to open the panel or a request is in progress. Same rules as the core: no
 * HTML strings, no inline styles, every text from the server set with textContent. */
import { createPanel } from "./panel/index";

const T = window.Tapline;
if (T && typeof T.__panel === "function") T.__panel(createPanel);
