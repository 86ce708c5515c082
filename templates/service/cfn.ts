/**
 * Conditional values for the app templates (31, 32, 91), which switch whole features on parameters
 * (certificate or not, ALB or NLB, ECR or public image). cloudform's typed property classes cannot
 * hold an `Fn::If` where they expect an object (a list item, a nested block), so the one cast that
 * allows it lives here, not at each call site.
 */
import { Fn, Refs, type Condition, type IntrinsicFunction } from '../kit/cf';

/**
 * `value` when `condition` holds, else the property or list item disappears (`AWS::NoValue`).
 * Typed as `T` so it can stand where cloudform expects the item itself.
 */
export function onlyIf<T>(condition: string, value: T): T {
  return Fn.If(condition, value, Refs.NoValue) as unknown as T;
}

/** `whenTrue` or `whenFalse` by condition, typed as either (objects included). */
export function either<T>(condition: string, whenTrue: T, whenFalse: T): T {
  return Fn.If(condition, whenTrue, whenFalse) as unknown as T;
}

/** A condition that holds when a parameter is not the empty string (our "optional" parameters). */
export function notEmpty(ref: IntrinsicFunction): Condition {
  return Fn.Not(Fn.Equals(ref, ''));
}

/** `Fn::Contains`, which cloudform does not model: valid only in template `Rules`. */
export function contains(values: string[], ref: IntrinsicFunction): Record<string, unknown> {
  return { 'Fn::Contains': [values, ref] };
}

/**
 * Adds `Tags` to a typed resource whose cloudform-types 7.5 class predates the property (ELBv2
 * listeners, for one), keeping the rest of the resource type-checked.
 */
export function withTags<R extends { Properties: object }>(resource: R, tags: unknown[]): R {
  (resource.Properties as Record<string, unknown>).Tags = tags;
  return resource;
}
