/**
 * Chromium's launch flags. Beyond running headless in a container, they switch off every
 * service the browser runs for itself: a capture worker must make no request that no captured
 * page asked for (Debian's build, through /etc/chromium.d, ships Google API keys and turns on
 * remote extensions; left alone it contacts update, account, safe-browsing and variations
 * hosts within seconds of starting). The egress proxy refuses and counts whatever still gets
 * out (egress/strays.ts). The component updater and IdentityManager's account check ignore
 * every switch-off flag, so their servers point at a closed loopback port instead; what is
 * left (an on-demand network-time query, rarely) is pinned by test/browser-silence.test.ts: a
 * new kind of request fails it.
 *
 * Puppeteer adds its own defaults first (--disable-background-networking, --disable-sync,
 * --disable-client-side-phishing-detection, --metrics-recording-only, --disable-extensions,
 * --disable-features=Translate,MediaRouter,OptimizationHints…) and merges our
 * --disable-features list into its own; the flags are repeated here so that the set does not
 * depend on a launcher's defaults. A managed policy file would be read only from
 * /etc/chromium/policies/managed on Linux, never from a user-data dir: flags are what a
 * worker can set for itself (docs/decisions/0012-silent-browser.md).
 */

/** Features whose services call home (or fetch models, lists, configs) on their own. */
const SILENT_FEATURES = [
  // Optimization guide: hints and model downloads.
  'OptimizationHints',
  'OptimizationHintsFetching',
  'OptimizationGuideModelDownloading',
  'OptimizationTargetPrediction',
  'Translate',
  'MediaRouter',
  'DialMediaRouteProvider',
  'CastMediaRouteProvider',
  'AutofillServerCommunication',
  // Safe browsing lookups and list updates.
  'SafeBrowsingEnhancedProtection',
  'SafeBrowsingRealTimeUrlLookup',
  'ClientSideDetectionModel',
  // Interest groups / privacy sandbox (FLEDGE, Topics, attribution) report to their own hosts.
  'InterestGroupStorage',
  'FledgeInterestGroups',
  'BrowsingTopics',
  'PrivacySandboxSettings4',
  'AttributionReportingCrossAppWeb',
  'CertificateTransparencyComponentUpdater',
  'NetworkTimeServiceQuerying',
  // Speculative connections to hosts of earlier pages: after a capture they belong to none.
  'LoadingPredictorUseLocalPredictions',
  'NetworkPrediction',
];

/** A closed port on loopback (discard): where the browser's own Google services are sent. */
const GOOGLE_SERVICES_SINK = 'http://127.0.0.1:9';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  // Background services.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-component-extensions-with-background-pages',
  '--disable-breakpad',
  '--disable-crash-reporter',
  '--no-pings',
  '--metrics-recording-only',
  '--no-service-autorun',
  '--disable-field-trial-config',
  '--dns-prefetch-disable',
  '--safebrowsing-disable-auto-update',
  '--media-router=0',
  `--disable-features=${SILENT_FEATURES.join(',')}`,
  // No flag switches off the component updater's update check or IdentityManager's account
  // check in Chromium 156; pointing their servers at a closed loopback port does. Measured
  // 2026-12-04: 6–7 refused requests to update.googleapis.com and accounts.google.com per
  // browser in 45 s without these, none with them. Anything still sent there would reach
  // the egress proxy's refusing listener (loopback is refused), so nothing leaves the host.
  `--component-updater=url-source=${GOOGLE_SERVICES_SINK}`,
  `--gaia-url=${GOOGLE_SERVICES_SINK}`,
  `--google-apis-url=${GOOGLE_SERVICES_SINK}`,
  `--lso-url=${GOOGLE_SERVICES_SINK}`,
];
