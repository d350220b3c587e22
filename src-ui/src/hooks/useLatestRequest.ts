import { useEffect, useState } from "react";
import { latestRequest, type LatestRequest } from "../lib/latestRequest";

/**
 * A {@link LatestRequest} owned by the component: only the newest answer lands, and none lands
 * after unmount. The object is stable across renders.
 */
export function useLatestRequest(): LatestRequest {
  const [latest] = useState(latestRequest);
  useEffect(() => latest.drop, [latest]);
  return latest;
}
