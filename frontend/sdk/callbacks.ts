/*! tapline callbacks: the other channels beside waiting ("Call me back when it's my turn",
 * "Schedule a time"), the slot picker, the booked slot, and the ring. The panel loads it only
 * when a request may need it. Same rules as the core: no HTML strings, no inline styles, every
 * text from the server set with textContent. See docs/sdk.md. */
import { createCallbacks } from "./callbacks/index";

const T = window.Tapline;
if (T && typeof T.__ext === "function") T.__ext("callbacks", createCallbacks);
