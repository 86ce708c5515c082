'use strict';
/**
 * Preloaded by end-to-end tests into a `provision` run (`NODE_OPTIONS=-r test/helpers/other-run.js`):
 * another run of the tool (another environment's deploy sharing a project stack) that creates the
 * stack $OTHER_RUN_STACK at the worst moment for this one, deterministically:
 *
 * - `OTHER_RUN_AT=ExecuteChangeSet`: right before this run executes its CREATE change set for the
 *   stack, the other run makes its own CREATE change set for it (the same input under its own
 *   name) and executes it first. Executing a change set deletes the stack's other change sets, so
 *   this run's is gone (ChangeSetNotFoundException), as on AWS.
 * - `OTHER_RUN_AT=DescribeChangeSet`: while this run waits for its CREATE change set, the other run
 *   makes its own and executes it, which deletes this run's: this run finds its change set gone.
 * - `OTHER_RUN_AT=CreateChangeSet`: right before this run asks for its CREATE change set, the
 *   other run has created the stack, so the CREATE is refused ("Stack [X] already exists and
 *   cannot be created again with the changeSet [Y]").
 *
 * It fires once, through its own SDK client (not the CLI's). Test-only: nothing in the product
 * loads this file.
 */
const { Client } = require('@smithy/core/client');
const cf = require('@aws-sdk/client-cloudformation');

const stack = process.env.OTHER_RUN_STACK;
const at = process.env.OTHER_RUN_AT;
let fired = false;
let ours;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The other run: its own change set for the stack, made from the input this run sent, executed. */
async function otherRun() {
  const client = new cf.CloudFormationClient({ endpoint: process.env.AWS_ENDPOINT_URL });
  try {
    const name = `cfn-stages-otherrun-${Date.now().toString(36)}`;
    await client.send(new cf.CreateChangeSetCommand({ ...ours, ChangeSetName: name, ClientToken: name }));
    for (let i = 0; i < 100; i++) {
      const cs = await client.send(new cf.DescribeChangeSetCommand({ StackName: stack, ChangeSetName: name }));
      if (cs.Status === 'CREATE_COMPLETE') break;
      if (cs.Status === 'FAILED') throw new Error(`other run's change set failed: ${cs.StatusReason}`);
      await sleep(100);
    }
    await client.send(new cf.ExecuteChangeSetCommand({ StackName: stack, ChangeSetName: name }));
    let id;
    for (let i = 0; i < 100; i++) {
      const s = (await client.send(new cf.DescribeStacksCommand({ StackName: stack }))).Stacks[0];
      id = s.StackId;
      if (!s.StackStatus.endsWith('_IN_PROGRESS')) break;
      await sleep(100);
    }
    process.stderr.write(`[other run] created ${stack} (${id})\n`);
  } finally {
    client.destroy();
  }
}

if (stack && at) {
  const send = Client.prototype.send;
  Client.prototype.send = async function (command, ...rest) {
    const action = command?.constructor?.name?.replace(/Command$/, '');
    const input = command?.input ?? {};
    // By name, or by the stack id (arn:...:stack/NAME/uuid) the engine uses once it has one.
    const named = input.StackName === stack || String(input.StackName).includes(`:stack/${stack}/`);
    const mine = !fired && named && input.ChangeSetType !== 'UPDATE';
    if (mine && action === 'CreateChangeSet') ours = { ...input };
    if (mine && action === at && ours) {
      fired = true;
      await otherRun();
    }
    return send.call(this, command, ...rest);
  };
}
