// Reservations: how long a consumer holds a node. 1-12 hours; past 12 hours only with an
// operator's approval (an override), and never past the approved end.
import { z } from 'zod';
import { MS_PER_HOUR } from './clock';
import { ValidationError } from './errors';

export const MIN_RESERVATION_HOURS = 1;
export const MAX_RESERVATION_HOURS = 12;

export const ReservationHoursSchema = z
  .number()
  .int()
  .min(MIN_RESERVATION_HOURS, `a reservation is at least ${MIN_RESERVATION_HOURS} hour`)
  .max(MAX_RESERVATION_HOURS, `a reservation is at most ${MAX_RESERVATION_HOURS} hours without an operator's approval`);

export const ReservationSchema = z.object({
  hours: z.number().nonnegative(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
  /** The hard maximum: startsAt + 12 h, or the end an operator approved. Never exceeded. */
  hardMaxEndsAt: z.iso.datetime(),
});
export type Reservation = z.infer<typeof ReservationSchema>;

export function newReservation(startsAt: Date, hours: number): Reservation {
  const parsed = ReservationHoursSchema.safeParse(hours);
  if (!parsed.success) throw new ValidationError('hours', parsed.error.issues[0]?.message ?? 'invalid');
  return {
    hours,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + hours * MS_PER_HOUR).toISOString(),
    hardMaxEndsAt: new Date(startsAt.getTime() + MAX_RESERVATION_HOURS * MS_PER_HOUR).toISOString(),
  };
}

export type ExtensionDecision =
  | { kind: 'extended'; reservation: Reservation }
  | { kind: 'needs-approval'; requestedEndsAt: string };

/** Extending within the hard maximum is immediate; beyond it an operator must approve. */
export function extendReservation(reservation: Reservation, extraHours: number): ExtensionDecision {
  if (!Number.isInteger(extraHours) || extraHours < 1) throw new ValidationError('hours', 'must be a whole number of hours, at least 1');
  const endsAtMs = new Date(reservation.endsAt).getTime() + extraHours * MS_PER_HOUR;
  const requestedEndsAt = new Date(endsAtMs).toISOString();
  if (endsAtMs > new Date(reservation.hardMaxEndsAt).getTime()) return { kind: 'needs-approval', requestedEndsAt };
  return { kind: 'extended', reservation: { ...reservation, hours: reservation.hours + extraHours, endsAt: requestedEndsAt } };
}

/** An operator approved an override: the end and the hard maximum move together. */
export function approveOverride(reservation: Reservation, approvedEndsAt: string): Reservation {
  const hours = (new Date(approvedEndsAt).getTime() - new Date(reservation.startsAt).getTime()) / MS_PER_HOUR;
  return { ...reservation, hours, endsAt: approvedEndsAt, hardMaxEndsAt: approvedEndsAt };
}
