import {
  ACTIVITY_CAP,
  ACTIVITY_PARETO_ALPHA,
  CAMPAIGN_MULTIPLIER,
  COUNTRIES,
  LAGGARD_SHARE,
  LICENSE_ACTIVITY,
  LICENSE_WEIGHTS,
  LOCAL_OFFSET_USER_SHARE,
  MEAN_LAGGARD_LAG_DAYS,
  MEAN_LIFETIME_DAYS,
  MEAN_RETURN_GAP_DAYS,
  MEAN_SECOND_LIFETIME_DAYS,
  MEAN_UPGRADE_LAG_DAYS,
  OS_PROFILES,
  PREEXISTING_USER_SHARE,
  PRODUCT_WEIGHTS,
  RETURN_PROBABILITY,
  SEATS_PER_ENTERPRISE_LICENSE,
  TRIAL_CONVERSION,
  TRIAL_DAYS,
  WEEKEND_FACTOR,
  WEEKLY_GROWTH,
} from './fleet-model.ts';
import { MS_PER_DAY, type FleetPlan } from './fleet-plan.ts';
import { cumulativeWeights, type SeededRandom } from './rng.ts';

const NEVER = 0x3fffffff;
export const LICENSE_TRIAL = 0;
export const LICENSE_STANDARD = 1;
export const LICENSE_ENTERPRISE = 2;

/**
 * Every user of the fleet, as columns of typed arrays (about 50 bytes a user): when they join (weekly
 * cohorts, growing, with one campaign week), when they churn and whether they come back, how active
 * they are (Pareto: a few heavy users carry much of the traffic), and their fixed attributes. Day
 * numbers count from the plan's start day; users who predate the range have a negative join day.
 */
export class FleetPopulation {
  readonly size: number;
  readonly product: Uint8Array;
  /** Per-product user number, for `u-000123` ids (the same raw id in two products is two users). */
  readonly localIndex: Int32Array;
  readonly joinDay: Int32Array;
  /** First stretch of activity is [max(joinDay, 0), churnDay); a returning user's second is [returnDay, leaveDay). */
  readonly churnDay: Int32Array;
  readonly returnDay: Int32Array;
  readonly leaveDay: Int32Array;
  readonly weight: Float32Array;
  readonly os: Uint8Array;
  readonly osVersion: Uint8Array;
  readonly country: Uint8Array;
  readonly license: Uint8Array;
  /** A trial user's license becomes standard on this day (NEVER when it stays a trial). */
  readonly convertDay: Int32Array;
  readonly licenseNumber: Int32Array;
  readonly upgradeLag: Int16Array;
  readonly localOffset: Uint8Array;
  /** Sessions started so far, for session ids. */
  readonly sessions: Uint32Array;
  /** Digits of the widest per-product user number (at least 6). */
  readonly idWidth: number;

  constructor(plan: FleetPlan, rng: SeededRandom) {
    const n = plan.users;
    this.size = n;
    this.product = new Uint8Array(n);
    this.localIndex = new Int32Array(n);
    this.joinDay = new Int32Array(n);
    this.churnDay = new Int32Array(n);
    this.returnDay = new Int32Array(n);
    this.leaveDay = new Int32Array(n);
    this.weight = new Float32Array(n);
    this.os = new Uint8Array(n);
    this.osVersion = new Uint8Array(n);
    this.country = new Uint8Array(n);
    this.license = new Uint8Array(n);
    this.convertDay = new Int32Array(n);
    this.licenseNumber = new Int32Array(n);
    this.upgradeLag = new Int16Array(n);
    this.localOffset = new Uint8Array(n);
    this.sessions = new Uint32Array(n);

    const productCum = cumulativeWeights(PRODUCT_WEIGHTS.slice(0, plan.products.length));
    const countryCum = cumulativeWeights(COUNTRIES.map((c) => c.weight));
    const osCum = cumulativeWeights(OS_PROFILES.map((o) => o.weight));
    const licenseCum = cumulativeWeights(LICENSE_WEIGHTS);
    const weekCum = joinWeekWeights(plan.days);
    const perProduct = new Int32Array(plan.products.length);
    const enterpriseSeats = new Int32Array(plan.products.length);

    for (let u = 0; u < n; u++) {
      const p = rng.weightedIndex(productCum);
      this.product[u] = p;
      this.localIndex[u] = ++perProduct[p];
      const license = rng.weightedIndex(licenseCum);
      this.license[u] = license;
      if (license === LICENSE_ENTERPRISE) {
        this.licenseNumber[u] = 1 + Math.floor(enterpriseSeats[p]++ / SEATS_PER_ENTERPRISE_LICENSE);
      } else {
        this.licenseNumber[u] = this.localIndex[u];
      }

      const preexisting = rng.chance(PREEXISTING_USER_SHARE);
      let join: number;
      if (preexisting) {
        join = -1 - rng.int(365);
      } else {
        const week = rng.weightedIndex(weekCum);
        join = Math.min(plan.days - 1, week * 7 + rng.int(7));
      }
      this.joinDay[u] = join;
      const activeFrom = Math.max(join, 0);

      let lifetime: number;
      let convert = NEVER;
      if (license === LICENSE_TRIAL) {
        // A trial either converts (and lives like a standard user) or fades out soon after it ends.
        const trialLeft = preexisting ? 1 + rng.int(TRIAL_DAYS) : TRIAL_DAYS;
        if (rng.chance(TRIAL_CONVERSION)) {
          convert = activeFrom + trialLeft;
          lifetime = trialLeft + 1 + rng.exponential(MEAN_LIFETIME_DAYS[LICENSE_STANDARD]);
        } else {
          lifetime = Math.min(trialLeft + 3, 1 + rng.exponential(MEAN_LIFETIME_DAYS[LICENSE_TRIAL]));
        }
      } else {
        lifetime = 1 + rng.exponential(MEAN_LIFETIME_DAYS[license]);
      }
      this.convertDay[u] = convert;
      const churn = activeFrom + Math.ceil(lifetime);
      this.churnDay[u] = churn;
      if (rng.chance(RETURN_PROBABILITY)) {
        const back = churn + 1 + Math.ceil(rng.exponential(MEAN_RETURN_GAP_DAYS));
        this.returnDay[u] = back;
        this.leaveDay[u] = back + Math.ceil(1 + rng.exponential(MEAN_SECOND_LIFETIME_DAYS));
      } else {
        this.returnDay[u] = NEVER;
        this.leaveDay[u] = NEVER;
      }

      this.weight[u] =
        Math.min(ACTIVITY_CAP, rng.pareto(1, ACTIVITY_PARETO_ALPHA)) * LICENSE_ACTIVITY[license];
      const os = rng.weightedIndex(osCum);
      this.os[u] = os;
      this.osVersion[u] = rng.int(OS_PROFILES[os].versions.length);
      this.country[u] = rng.weightedIndex(countryCum);
      const lagMean = rng.chance(LAGGARD_SHARE) ? MEAN_LAGGARD_LAG_DAYS : MEAN_UPGRADE_LAG_DAYS;
      this.upgradeLag[u] = Math.min(10_000, Math.round(rng.exponential(lagMean)));
      this.localOffset[u] = rng.chance(LOCAL_OFFSET_USER_SHARE) ? 1 : 0;
    }
    let widest = 0;
    for (const count of perProduct) widest = Math.max(widest, count);
    this.idWidth = Math.max(6, String(widest).length);
  }

  isActive(u: number, day: number): boolean {
    return (day >= this.joinDay[u] && day < this.churnDay[u]) || (day >= this.returnDay[u] && day < this.leaveDay[u]);
  }

  licenseTypeIndex(u: number, day: number): number {
    const license = this.license[u];
    return license === LICENSE_TRIAL && day >= this.convertDay[u] ? LICENSE_STANDARD : license;
  }

  /**
   * Index into `releaseDays` (ascending) of the version user `u` runs on `day`: new installs get the
   * newest release, upgrades follow each release after the user's own lag.
   */
  versionIndex(u: number, day: number, releaseDays: Int32Array): number {
    const effective = Math.max(day - this.upgradeLag[u], this.joinDay[u]);
    for (let i = releaseDays.length - 1; i > 0; i--) {
      if (releaseDays[i] <= effective) return i;
    }
    return 0;
  }

  /** Relative activity per day (sum of active users' weights, less on weekends): the day's share of events. */
  dailyActivity(plan: FleetPlan): Float64Array {
    const diff = new Float64Array(plan.days + 1);
    const add = (from: number, to: number, w: number): void => {
      const a = Math.max(0, from);
      const b = Math.min(plan.days, to);
      if (a < b) {
        diff[a] += w;
        diff[b] -= w;
      }
    };
    for (let u = 0; u < this.size; u++) {
      add(this.joinDay[u], this.churnDay[u], this.weight[u]);
      add(this.returnDay[u], this.leaveDay[u], this.weight[u]);
    }
    const out = new Float64Array(plan.days);
    let running = 0;
    for (let d = 0; d < plan.days; d++) {
      running += diff[d];
      out[d] = Math.max(running, 0) * weekdayFactor(plan.startMs + d * MS_PER_DAY);
    }
    return out;
  }
}

/** Weekend days get less traffic (the products are work tools). */
export function weekdayFactor(dayStartMs: number): number {
  const weekday = new Date(dayStartMs).getUTCDay();
  return weekday === 0 || weekday === 6 ? WEEKEND_FACTOR : 1;
}

/** New users per week of the range: steady growth plus one campaign week at 40% of the range. */
function joinWeekWeights(days: number): Float64Array {
  const weeks = Math.ceil(days / 7);
  const campaign = Math.floor(weeks * 0.4);
  const weights: number[] = [];
  for (let w = 0; w < weeks; w++) {
    // The last week may be partial: weight it by the days it has.
    const share = Math.min(7, days - w * 7) / 7;
    weights.push(Math.pow(1 + WEEKLY_GROWTH, w) * (w === campaign && weeks > 2 ? CAMPAIGN_MULTIPLIER : 1) * share);
  }
  return cumulativeWeights(weights);
}
