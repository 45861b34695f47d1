/**
 * The fixed vocabulary of the synthetic fleet: who the users are (countries, OSes, licenses), what the
 * products contain (features, versions, error types) and how they behave (latency and crash profiles).
 * Pure data: the simulator (fleet-simulator.ts) decides when and how often each of these appears.
 */

/** Product ids used when `products` is a count. All match `[A-Za-z0-9._-]{1,64}`. */
export const DEFAULT_PRODUCT_NAMES = [
  'studio.app',
  'sync-agent',
  'reports_cli',
  'cad.pro',
  'field-mobile',
] as const;
/** Share of users per product, in the order above (renormalized for the products in use). */
export const PRODUCT_WEIGHTS = [0.55, 0.3, 0.15, 0.1, 0.05];

export interface CountryProfile {
  readonly code: string;
  readonly weight: number;
  /** Local UTC offset in minutes: shifts the daily usage curve and the non-UTC timestamps. */
  readonly offsetMinutes: number;
}

/** 15 countries, weighted roughly like a desktop-software install base. */
export const COUNTRIES: readonly CountryProfile[] = [
  { code: 'US', weight: 26, offsetMinutes: -300 },
  { code: 'DE', weight: 11, offsetMinutes: 60 },
  { code: 'GB', weight: 8, offsetMinutes: 0 },
  { code: 'JP', weight: 7, offsetMinutes: 540 },
  { code: 'IN', weight: 7, offsetMinutes: 330 },
  { code: 'FR', weight: 6, offsetMinutes: 60 },
  { code: 'BR', weight: 5, offsetMinutes: -180 },
  { code: 'CA', weight: 5, offsetMinutes: -300 },
  { code: 'CN', weight: 5, offsetMinutes: 480 },
  { code: 'AU', weight: 4, offsetMinutes: 600 },
  { code: 'NL', weight: 4, offsetMinutes: 60 },
  { code: 'KR', weight: 3, offsetMinutes: 540 },
  { code: 'PL', weight: 3, offsetMinutes: 60 },
  { code: 'SE', weight: 3, offsetMinutes: 60 },
  { code: 'MX', weight: 3, offsetMinutes: -360 },
];

export interface LatencyProfile {
  /** Median in ms (e^mu of the log-normal). */
  readonly median: number;
  /** Sigma of the underlying normal: the tail weight. */
  readonly sigma: number;
}

export interface OsProfile {
  readonly name: string;
  readonly weight: number;
  readonly versions: readonly string[];
  readonly startup: LatencyProfile;
  readonly response: LatencyProfile;
}

/** Windows starts slowest with the fattest tail (antivirus, spinning disks); Linux fastest. */
export const OS_PROFILES: readonly OsProfile[] = [
  {
    name: 'windows',
    weight: 60,
    versions: ['10.0.19045', '10.0.22631', '10.0.26100'],
    startup: { median: 1800, sigma: 0.55 },
    response: { median: 120, sigma: 0.8 },
  },
  {
    name: 'macos',
    weight: 25,
    versions: ['13.6.9', '14.7.1', '15.1'],
    startup: { median: 1200, sigma: 0.4 },
    response: { median: 90, sigma: 0.65 },
  },
  {
    name: 'linux',
    weight: 15,
    versions: ['Ubuntu 22.04', 'Ubuntu 24.04', 'Fedora 41'],
    startup: { median: 900, sigma: 0.45 },
    response: { median: 70, sigma: 0.6 },
  },
];

export const LICENSE_TYPES = ['trial', 'standard', 'enterprise'] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number];
export const LICENSE_WEIGHTS = [30, 50, 20];
/** Mean days a user stays active before churning, per license type. */
export const MEAN_LIFETIME_DAYS = [12, 70, 160];
/** Activity multiplier per license type (enterprise seats are used all day). */
export const LICENSE_ACTIVITY = [0.8, 1, 1.6];
/** Users per enterprise license id: enterprise seats share one license. */
export const SEATS_PER_ENTERPRISE_LICENSE = 25;
/** A trial converts to a standard license on this day after joining, with TRIAL_CONVERSION probability. */
export const TRIAL_DAYS = 14;
export const TRIAL_CONVERSION = 0.3;

export interface VersionRelease {
  readonly version: string;
  /** Release position as a fraction of the generated range; < 0 means released before it starts. */
  readonly at: number;
}

/** The release train. 3.1.0 ships a crash bug and is replaced by the 3.1.1 hotfix. */
export const VERSION_TRAIN: readonly VersionRelease[] = [
  { version: '2.9.4', at: -1 },
  { version: '3.0.0', at: 0.15 },
  { version: '3.0.1', at: 0.3 },
  { version: '3.1.0', at: 0.5 },
  { version: '3.1.1', at: 0.58 },
  { version: '3.2.0', at: 0.8 },
];
export const BAD_VERSION = '3.1.0';
/** Probability that a session crashes, and the multiplier on the bad version. */
export const BASE_SESSION_CRASH_RATE = 0.005;
export const BAD_VERSION_CRASH_MULTIPLIER = 10;
/** The oldest version's SDK still sends the client IP (ingest.md drops it); this share of its events does. */
export const LEGACY_IP_RATE = 0.2;

export interface FeatureSpec {
  readonly name: string;
  /** Relative popularity once fully ramped (Zipf-like: a few features carry most uses). */
  readonly weight: number;
  /** Release position as a fraction of the range; < 0 means released before it starts. */
  readonly at: number;
}

const FEATURE_NAMES = [
  'open_file', 'save_file', 'search', 'undo', 'copy_paste', 'export_pdf', 'print', 'share_link',
  'dark_mode', 'zoom', 'comments', 'templates', 'spell_check', 'version_history', 'cloud_sync',
  'import_csv', 'charts', 'macros', 'plugins', 'offline_mode', 'ai_assist', 'collab_edit',
  'smart_tags', 'timeline_view', 'batch_export', 'voice_notes', 'command_palette', 'quick_filters',
  'auto_layout', 'data_lineage',
];

/**
 * 30 features: the first 14 exist before the range starts, the other 16 are released one after another
 * across it (the benchmark's feature-adoption curves start at their release day).
 */
export const FEATURES: readonly FeatureSpec[] = FEATURE_NAMES.map((name, i) => ({
  name,
  weight: 100 / Math.pow(i + 1, 1.1),
  at: i < 14 ? -1 : 0.05 + ((i - 14) / 16) * 0.9,
}));
/** A new feature reaches its full popularity this many days after release. */
export const FEATURE_RAMP_DAYS = 14;

export const CRASH_TYPES = [
  'NullReferenceException',
  'AccessViolationException',
  'OutOfMemoryError',
  'StackOverflowError',
  'SIGSEGV',
  'UnhandledPromiseRejection',
];
/** What 3.1.0 crashes with, most of the time. */
export const BAD_VERSION_CRASH = 'RenderThreadDeadlock';

export const ERROR_TYPES = [
  'NetworkTimeout',
  'FileNotFound',
  'PermissionDenied',
  'ValidationError',
  'HttpError503',
  'LicenseCheckFailed',
  'DiskFull',
];
/** Error names that leak personal data; ingest must scrub them (ingest.md privacy rules). */
export const LEAKY_ERROR_NAMES = [
  'FileNotFound: C:\\Users\\alice\\Documents\\plan.docx',
  'FileNotFound: /home/bob/projects/report.csv',
  'SmtpRejected: carol@example.com',
  'ConnectRefused: 192.168.10.24:8443',
];
export const LEAKY_ERROR_RATE = 0.02;

export const INTERACTION_TARGETS = [
  'toolbar.save', 'toolbar.undo', 'toolbar.search', 'menu.file', 'menu.edit', 'menu.view',
  'menu.help', 'dialog.settings', 'dialog.export', 'sidebar.toggle', 'tab.switch', 'panel.resize',
  'button.ok', 'button.cancel', 'shortcut.ctrl_s', 'context.copy', 'context.paste', 'onboarding.next',
];

export const FEATURE_SOURCES = ['menu', 'toolbar', 'shortcut', 'command_palette'];
export const SCREENS = ['1920x1080', '2560x1440', '3840x2160', '1366x768', '3024x1964'];
export const LOCALES = ['en-US', 'de-DE', 'en-GB', 'ja-JP', 'hi-IN', 'fr-FR', 'pt-BR', 'zh-CN'];

/** Relative session starts per local hour: quiet nights, a morning and an afternoon peak. */
export const DIURNAL_WEIGHTS = [
  1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 3, 6, 9, 10, 9.5, 7, 8.5, 9.5, 9, 8, 6.5, 4.5, 3.5, 3, 2.6, 2, 1.4,
];
/** Weekend days get this share of a weekday's activity. */
export const WEEKEND_FACTOR = 0.45;

/** Session shape: body events (besides start, startup metric and end) and the gap between events. */
export const MEAN_BODY_EVENTS = 11;
export const MAX_BODY_EVENTS = 400;
export const MEAN_EVENT_GAP_MS = 25_000;
/** Of the body events: feature uses, interactions, `response` timings; the rest are errors. */
export const BODY_MIX = { feature: 0.55, interaction: 0.28, response: 0.15 } as const;

/** Population dynamics. */
export const PREEXISTING_USER_SHARE = 0.35;
export const WEEKLY_GROWTH = 0.03;
/** One marketing campaign week brings this many times the usual new users. */
export const CAMPAIGN_MULTIPLIER = 2.5;
export const RETURN_PROBABILITY = 0.35;
export const MEAN_RETURN_GAP_DAYS = 21;
export const MEAN_SECOND_LIFETIME_DAYS = 30;
/** Power-law activity: Pareto shape and cap on a single user's weight. */
export const ACTIVITY_PARETO_ALPHA = 1.3;
export const ACTIVITY_CAP = 300;
/** Mean upgrade lag in days, and the share of laggards with a much longer one. */
export const MEAN_UPGRADE_LAG_DAYS = 4;
export const LAGGARD_SHARE = 0.12;
export const MEAN_LAGGARD_LAG_DAYS = 35;
/** Share of users whose SDK writes local time with its offset instead of `Z`. */
export const LOCAL_OFFSET_USER_SHARE = 0.04;
