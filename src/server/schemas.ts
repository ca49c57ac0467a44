/**
 * @module server/schemas
 * The API's shapes as typebox schemas: fastify validates requests and serialises responses
 * with them, and `@fastify/swagger` turns them into the OpenAPI document. Response shapes
 * mirror `src/store/types.ts` field for field; the diagnosed report and a dump's facts stay
 * open objects (their contract is `crashlens analyze --json`'s, documented in the README).
 */
import { type Static, Type } from "typebox";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Id = Type.Integer({ minimum: 1 });
const Limit = Type.Integer({ minimum: 0, maximum: 1000 });
const Offset = Type.Integer({ minimum: 0 });
const Labels = Type.Record(Type.String(), Type.String());
/** whatever a JSON value is: serialised as is */
const AnyObject = Type.Object({}, { additionalProperties: true });

export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;

export const Health = Type.Object({
  ok: Type.Literal(true),
  version: Type.String(),
  store: Type.Union([Type.Literal("sqlite"), Type.Literal("postgres")]),
  auth: Type.Union([Type.Literal("token"), Type.Literal("none")]),
  role: Type.Union([Type.Literal("ingest"), Type.Literal("read"), Type.Literal("admin")]),
});

export const IngestQuery = Type.Object({
  host: Type.Optional(Type.String()),
  /** repeatable: `label=k=v` */
  label: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  /** a dump's file name */
  name: Type.Optional(Type.String()),
});
export type IngestQuery = Static<typeof IngestQuery>;

/** the JSON form of a text submission */
export const JsonSubmission = Type.Object({
  text: Type.String(),
  host: Type.Optional(Type.String()),
  labels: Type.Optional(Labels),
});
export type JsonSubmission = Static<typeof JsonSubmission>;

export const IngestResponse = Type.Object({
  found: Type.Integer(),
  reports: Type.Array(
    Type.Object({
      id: Type.Integer(),
      cluster: Type.Integer(),
      duplicate: Type.Boolean(),
      title: Type.String(),
      kind: Type.String(),
    }),
  ),
  message: Type.Optional(Type.String()),
});
export type IngestResponse = Static<typeof IngestResponse>;

/** `crashlens analyze --json`'s object: `{ reports, inputs }` */
export const AnalyzeResponse = Type.Object(
  { reports: Type.Array(AnyObject), inputs: Type.Array(AnyObject) },
  { additionalProperties: true },
);

export const ClusterQuery = Type.Object({
  kind: Type.Optional(Type.String()),
  module: Type.Optional(Type.String()),
  release: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  q: Type.Optional(Type.String()),
  sort: Type.Optional(
    Type.Union([
      Type.Literal("last-seen"),
      Type.Literal("first-seen"),
      Type.Literal("count"),
      Type.Literal("title"),
    ]),
  ),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});
export type ClusterQuery = Static<typeof ClusterQuery>;

const Status = Type.Union([
  Type.Literal("new"),
  Type.Literal("triaged"),
  Type.Literal("fixed-in"),
  Type.Literal("ignored"),
]);

export const ClusterSummary = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  title: Type.String(),
  kind: Type.String(),
  function: Nullable(Type.String()),
  module: Nullable(Type.String()),
  count: Type.Integer(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  status: Status,
});

export const ClusterList = Type.Object({
  total: Type.Integer(),
  clusters: Type.Array(ClusterSummary),
});

export const Cluster = Type.Object({
  ...ClusterSummary.properties,
  note: Type.String(),
  fixedIn: Nullable(Type.String()),
  perDay: Type.Array(Type.Object({ day: Type.String(), count: Type.Integer() })),
  perHost: Type.Array(Type.Object({ host: Type.String(), count: Type.Integer() })),
  hostCount: Type.Integer(),
  perRelease: Type.Array(Type.Object({ release: Type.String(), count: Type.Integer() })),
  releaseCount: Type.Integer(),
  bestExample: Type.Integer(),
  knownBugs: Type.Array(
    Type.Object({
      id: Type.String(),
      subject: Type.String(),
      confidence: Type.String(),
      reports: Type.Integer(),
    }),
  ),
  paths: Type.Array(Type.Object({ frames: Type.Array(Type.String()), count: Type.Integer() })),
  pathCount: Type.Integer(),
});

export const ClusterPatch = Type.Object({
  status: Status,
  note: Type.Optional(Type.String({ maxLength: 10_000 })),
  fixedIn: Type.Optional(Type.String({ maxLength: 200 })),
});
export type ClusterPatch = Static<typeof ClusterPatch>;

export const PageQuery = Type.Object({
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});
export type PageQuery = Static<typeof PageQuery>;

export const ReportQuery = Type.Object({
  cluster: Type.Optional(Id),
  host: Type.Optional(Type.String()),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});
export type ReportQuery = Static<typeof ReportQuery>;

export const ReportSummary = Type.Object({
  id: Type.Integer(),
  cluster: Type.Integer(),
  host: Type.String(),
  labels: Labels,
  receivedAt: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  release: Nullable(Type.String()),
  culprit: Nullable(Type.String()),
});

export const ReportList = Type.Object({
  total: Type.Integer(),
  reports: Type.Array(ReportSummary),
});

export const StoredReport = Type.Object({
  id: Type.Integer(),
  cluster: Type.Integer(),
  hash: Type.String(),
  host: Type.String(),
  labels: Labels,
  receivedAt: Type.String(),
  source: Type.Union([
    Type.Object({ kind: Type.Literal("text"), text: Type.String() }),
    Type.Object({
      kind: Type.Literal("dump"),
      name: Type.String(),
      facts: Type.Unknown(),
      log: Type.String(),
    }),
  ]),
  report: AnyObject,
});

export const Facets = Type.Object({
  kinds: Type.Array(Type.String()),
  modules: Type.Array(Type.String()),
  releases: Type.Array(Type.String()),
  hosts: Type.Array(Type.String()),
});

/** Every route's error answers, documented once. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
};
