// What the TensorDock simulator keeps per VM, and the status TensorDock shows for each lifecycle phase.
// Both APIs (v2 and the older v0) read the same records: a VM is one VM whichever API made or reads it.
import type { SimPhase } from '../shared/lifecycle';
import type { TdSimHostnode } from './catalog';

export interface TdInstanceData {
  name: string;
  host: TdSimHostnode;
  gpuCount: number;
  vcpus: number;
  ramGb: number;
  storageGb: number;
  portForwards: { internal_port: number; external_port: number }[];
  cloudInit: unknown;
  sshKey: string | null;
  /** The v2 image slug (`ubuntu2404`), or the v0 `operating_system` name as sent (`Ubuntu 22.04 LTS`). */
  image: string;
  ipAddress: string;
  rateHourlyUsd: number;
}

/** The status TensorDock shows for a phase, lower-case (v0 and a v2 variation capitalize it: "StoppedDisassociated"). */
export function tensorDockStatusText(phase: SimPhase): string {
  switch (phase) {
    case 'provisioning':
    case 'loading':
      return 'starting';
    case 'running':
      return 'running';
    case 'failed':
      // TensorDock documents no failure status (its enum is unconfirmed); "error" is what clients
      // (ours, the Terraform provider) read as a failed VM.
      return 'error';
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'stopped_disassociated';
    case 'exiting':
      return 'deleting';
    case 'destroyed':
      return 'deleted';
  }
}
