#!/usr/bin/env node
// Installed as the `mail-notifier-helper` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
