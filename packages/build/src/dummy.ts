import { BuildError } from "./errors.js";
import type { BuildRequest, BuildResult, BuildService } from "./types.js";

/** A BuildService for embedders without builds: every build is a clear error (like Tvix's). */
export class DummyBuildService implements BuildService {
  build(request: BuildRequest): Promise<BuildResult> {
    return Promise.reject(
      new BuildError(
        `building '${request.drvPath}' is not supported by the dummy build service (no build service is configured)`,
        "unsupported",
        request.drvPath,
      ),
    );
  }
}
