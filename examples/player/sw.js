// The player's cross-origin isolation service worker: ringlet's
// dist/coi-serviceworker.js, loaded from the player's own folder so that its
// scope covers the player page on any static host (a service worker controls
// only the pages at or below the folder of the script it was registered
// with). Its settings (COEP, CORP) come from this script's URL query, which
// ensureCrossOriginIsolation() sets. Service worker thread.
importScripts('../../dist/coi-serviceworker.js');
