// The servers of a run: one on SQLite, or several replicas on one PostgreSQL database, each its own
// process on its own port with its own replica id and the keys they must share. Kills take one
// replica (drawn at random); the service counts as down only while no replica is up.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port';
import { intersectAll, type Interval } from './intervals';
import type { Random } from './random';
import { ServerProcess, type ServerProcessOptions } from './server-process';
import type { Supervisor } from './supervisor';

export interface ReplicaSetOptions extends Omit<ServerProcessOptions, 'port' | 'name' | 'dataDirName' | 'logFileName' | 'replicaId' | 'postgres'> {
  replicas: number;
  /** Shared by every replica; null: SQLite (one replica). */
  postgres: { databaseUrl: string; secretKey: string; deploymentId: string } | null;
}

export class ReplicaSet {
  private constructor(readonly replicas: readonly ServerProcess[]) {}

  /** Ports from the OS, kept across restarts so nodes and clients find each replica where it was. */
  static async create(supervisor: Supervisor, options: ReplicaSetOptions): Promise<ReplicaSet> {
    if (options.replicas > 1 && options.postgres === null) throw new Error('several replicas need a PostgreSQL database (SQLite is the one-replica mode)');
    const { postgres, replicas: count, ...common } = options;
    const replicas: ServerProcess[] = [];
    for (let index = 1; index <= count; index++) {
      // One replica keeps the single-server names (server/, server.log) a run has always had.
      const single = count === 1;
      const name = single ? 'server' : `r${index}`;
      const dataDirName = single ? 'server' : `replica-${index}`;
      mkdirSync(join(options.workDir, dataDirName), { recursive: true });
      replicas.push(
        new ServerProcess(supervisor, {
          ...common,
          port: await freePort(),
          name,
          dataDirName,
          logFileName: single ? 'server.log' : `server-${name}.log`,
          replicaId: `chaos-${name}`,
          postgres: postgres ?? undefined,
        }),
      );
    }
    return new ReplicaSet(replicas);
  }

  get urls(): string[] {
    return this.replicas.map((replica) => replica.url);
  }

  /** Starts every replica at once and waits for each to announce itself. */
  async startAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.start()));
  }

  /** The replica a kill takes. With one there is no draw, so a seed plans the same run it always did. */
  pickVictim(random: Random): ServerProcess {
    return this.replicas.length === 1 ? this.replicas[0]! : random.pick(this.replicas);
  }

  /** When no replica was up (for one replica: its downtimes). */
  noReplicaUp(): Interval[] {
    return intersectAll(this.replicas.map((replica) => replica.downtimes));
  }

  /** Every replica's downtime added up. */
  totalDowntimeMs(nowMs = Date.now()): number {
    return this.replicas.reduce((sum, replica) => sum + replica.totalDowntimeMs(nowMs), 0);
  }

  longestDowntimeMs(nowMs = Date.now()): number {
    return this.replicas.reduce((longest, replica) => Math.max(longest, replica.longestDowntimeMs(nowMs)), 0);
  }

  restarts(): number {
    return this.replicas.reduce((sum, replica) => sum + replica.downtimes.length, 0);
  }
}
