/**
 * @module server/routes/context
 * What every route group is given: the store, the limits, where uploads go, and the app
 * with typebox as its type provider.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Store } from "../../store/types.js";
import type { Analyzer } from "../analyzer.js";

export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteContext {
  store: Store;
  version: string;
  maxBodyBytes: number;
  analyzer: Analyzer;
}
