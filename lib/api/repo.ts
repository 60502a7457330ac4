/** `repo.*`: the repositories under CODEROOT. */
import { z } from "zod";
import { listRepos, repoInfo } from "../repo";
import { RepoInfoSchema, RepoNameSchema, RepoSchema } from "./schemas";
import { defineMethod } from "./registry";

export const repoMethods = {
  "repo.list": defineMethod({
    name: "repo.list",
    summary: "Every git work tree under CODEROOT (depth 1 and 2) with branch, remote, head commit and dirty flag.",
    params: z.strictObject({}),
    result: z.array(RepoSchema),
    handler: (_p, { orchestrator: o }) => listRepos(o.config.coderoot),
  }),
  "repo.info": defineMethod({
    name: "repo.info",
    summary: "One repository with its branches, size, tracked file count and recent commits.",
    params: z.strictObject({ name: RepoNameSchema }),
    result: RepoInfoSchema,
    errors: [-32003],
    handler: ({ name }, { orchestrator: o }) => repoInfo(o.config.coderoot, name),
  }),
};
