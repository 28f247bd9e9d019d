/* SkyWay's service worker. The demo has no worker of its own, so it only brings in tapline's
 * (Web Push for callbacks): the way a host with an existing worker would add it. */
importScripts("/sdk/tapline-sw.js");
