// The one interface every GPU marketplace is reached through. Services only ever see this.
import type { Offer, ProviderName } from '@gpu-shopper/domain';
import type { CallObserver } from './http/provider-http';

/** What the inventory asks a provider for. Narrowing here is an optimisation: the inventory filters again. */
export interface OfferSearch {
  /** Disk to price into the all-in $/h. */
  diskGb: number;
  gpu?: string;
  maxPricePerHourUsd?: number;
  minGpus?: number;
  /** Cap on offers returned (providers may return fewer). */
  limit?: number;
}

/** What we ask a provider to start on an offer. */
export interface InstanceSpec {
  /** The workload's container image: Vast runs it; a TensorDock VM (its OS image is the adapter's) pulls and runs it. */
  image: string;
  diskGb: number;
  env: Record<string, string>;
  /** Internal ports to expose; the provider maps each to an external one. */
  ports: number[];
  /** Shell script run once the node is up (Vast onstart; TensorDock cloud-init runcmd). */
  bootstrapScript: string;
  sshPublicKey: string | null;
  /** `gpu-shopper:<deploymentId>:<sessionId>` (sessionLabel): how we recognise our instances in a listing. */
  label: string;
}

/** Our reading of a provider's instance state. */
export const INSTANCE_STATES = ['provisioning', 'running', 'stopping', 'stopped', 'destroying', 'failed', 'terminated', 'unknown'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export interface ProviderInstance {
  provider: ProviderName;
  /** The provider's own id ("13518557", a TensorDock uuid). */
  instanceId: string;
  label: string | null;
  state: InstanceState;
  /** The provider's raw status text, kept for debugging ("loading", "StoppedDisassociated"). */
  providerStatus: string | null;
  statusMessage: string | null;
  gpuModel: string | null;
  gpuCount: number | null;
  pricePerHourUsd: number | null;
  publicIp: string | null;
  /** Internal port -> externally reachable port (only once the provider publishes them). */
  portMappings: Record<number, number>;
  sshHost: string | null;
  sshPort: number | null;
  /** ISO time the provider says the instance started, when it says. */
  startedAt: string | null;
}

export interface BillingLineItem {
  kind: 'gpu' | 'disk' | 'bandwidth' | 'other';
  description: string;
  amountUsd: number;
}

/** What the provider says an instance cost over a window. */
export interface BillingCharge {
  instanceId: string;
  from: string;
  to: string;
  amountUsd: number;
  items: BillingLineItem[];
}

/**
 * For a listing: the observer watches the attempts of its first request, so the caller can date
 * what the listing shows when that request really left (our request budget can hold it for seconds
 * under a rate limit), not when the listing was asked for.
 */
export interface ListCallOptions {
  observer?: CallObserver;
}

/** For calls that stop the provider's meter: the caller learns which attempt got through. */
export interface BillingCallOptions {
  observer?: CallObserver;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  searchOffers(search: OfferSearch): Promise<Offer[]>;
  /** Rents the offer. Fails with OfferGoneError when it was taken meanwhile, CreateFailedError when a failed create left an instance behind. */
  createInstance(offer: Offer, spec: InstanceSpec): Promise<ProviderInstance>;
  /** null when the provider no longer knows the instance. */
  getInstance(instanceId: string): Promise<ProviderInstance | null>;
  /** Every instance of the account, all pages. */
  listInstances(options?: ListCallOptions): Promise<ProviderInstance[]>;
  /** Idempotent: an instance that is already gone counts as destroyed. */
  destroyInstance(instanceId: string, options?: BillingCallOptions): Promise<void>;
  stopInstance(instanceId: string, options?: BillingCallOptions): Promise<void>;
  startInstance(instanceId: string): Promise<void>;
  /** Present only where the provider has a billing endpoint. */
  describeBilling?(instanceIds: readonly string[], from: Date, to: Date): Promise<BillingCharge[]>;
}
