/**
 * The naming contract of the artifacts (docs/ARTIFACTS.md): gradients are `<param>_grad`, updated
 * values `<name>.new`, optimizer state `<param>.<slot>`.
 */

/** The training model's output for the gradient of `name`. */
export function gradientName(name: string): string {
  return `${name}_grad`;
}

/** The optimizer model's output for the new value of a parameter or a state tensor. */
export function updatedName(name: string): string {
  return `${name}.new`;
}

/** The optimizer state tensor `slot` of parameter `param`. */
export function stateName(param: string, slot: string): string {
  return `${param}.${slot}`;
}

/** Names of the optimizer model's two scalar inputs. */
export const LEARNING_RATE = 'learning_rate';
/** @see LEARNING_RATE */
export const STEP = 'step';
