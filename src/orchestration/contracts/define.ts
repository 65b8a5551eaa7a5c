/**
 * Contracts are types plus schemas and nothing else. A contract names the block that serves
 * it and a version; its actions have an input and an output schema, its events a payload
 * schema. TypeScript derives the static types from the schemas, so a wrong action name or a
 * wrongly typed payload does not compile, and the same schemas check data from the wire.
 */
import type { z } from 'zod';

export interface ActionSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description?: string;
}

export interface Contract<
  B extends string = string,
  V extends string = string,
  A extends Record<string, ActionSpec> = Record<string, ActionSpec>,
  E extends Record<string, z.ZodType> = Record<string, z.ZodType>,
> {
  readonly id: `${B}:${V}`;
  readonly block: B;
  readonly version: V;
  readonly actions: A;
  readonly events: E;
}

export function defineContract<
  const B extends string,
  const V extends string,
  A extends Record<string, ActionSpec>,
  E extends Record<string, z.ZodType> = Record<never, z.ZodType>,
>(block: B, version: V, spec: { actions: A; events?: E }): Contract<B, V, A, E> {
  if (!/^[a-z][a-z0-9_-]*$/.test(block))
    throw new Error(`contract block id "${block}" must be lower-case letters, digits, - or _`);
  if (!/^v[0-9]+$/.test(version))
    throw new Error(`contract version "${version}" must look like v1, v2, …`);
  return Object.freeze({
    id: `${block}:${version}` as const,
    block,
    version,
    actions: spec.actions,
    events: (spec.events ?? {}) as E,
  });
}

/**
 * The catalogue of every contract known to the type system. Production contracts are listed
 * in `contracts/index.ts`; tests add their own through declaration merging:
 *
 *   declare module '../src/orchestration/contracts/define.ts' {
 *     interface ContractRegistry { 'echo:v1': typeof echoV1 }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ContractRegistry {}

export type ContractId = Extract<keyof ContractRegistry, string>;
export type ContractOf<C extends ContractId> = ContractRegistry[C] extends Contract
  ? ContractRegistry[C]
  : never;
export type ActionName<C extends ContractId> = keyof ContractOf<C>['actions'] & string;
export type ActionInput<C extends ContractId, A extends ActionName<C>> = z.input<
  ContractOf<C>['actions'][A]['input']
>;
export type ActionOutput<C extends ContractId, A extends ActionName<C>> = z.output<
  ContractOf<C>['actions'][A]['output']
>;

/** Every event name declared by any contract. Event names are global: one owner each. */
export type EventName = { [C in ContractId]: keyof ContractOf<C>['events'] & string }[ContractId];
export type EventPayload<E extends EventName> = {
  [C in ContractId]: E extends keyof ContractOf<C>['events']
    ? z.output<ContractOf<C>['events'][E]>
    : never;
}[ContractId];

/** The block id of a contract id: 'auth:v1' → 'auth'. */
export type BlockOf<C extends string> = C extends `${infer B}:${string}` ? B : never;
