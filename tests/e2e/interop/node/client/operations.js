// operations.js -- the operations of a tiny Apollo Client app, as an app's
// source would hold them: @apollo/generate-persisted-query-manifest scans
// this file for the trusted-documents manifest (tests/e2e/interop_apq.sh),
// and apq.mjs sends the same documents.
import { gql } from "@apollo/client";

export const RECORDED = gql`
  query Recorded {
    recorded
  }
`;

export const RECORDED_TWICE = gql`
  query RecordedTwice {
    first: recorded
    second: recorded
  }
`;
