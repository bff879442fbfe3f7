import { describe, expect, it } from 'vitest';
import type { Tunnel } from '../bindings.ts';
import { joinWords, ngrokView } from './ngrokView.ts';

const tunnel = (public_url: string, addr: string, port: number | null): Tunnel => ({
  name: 'command_line',
  public_url,
  proto: public_url.startsWith('https') ? 'https' : 'http',
  addr,
  port,
});

describe('ngrokView', () => {
  it('says nothing until asked, and nothing when no agent runs', () => {
    expect(ngrokView(null)).toBeNull();
    expect(ngrokView({ kind: 'no_agent' })).toBeNull();
  });

  it('offers the tunnel that leads here, with where it goes in Persona', () => {
    const v = ngrokView({
      kind: 'tunnel',
      public_url: 'https://d95211d2.ngrok-free.app',
      tunnels: [
        tunnel('http://d95211d2.ngrok-free.app', 'http://localhost:4747', 4747),
        tunnel('https://d95211d2.ngrok-free.app', 'http://localhost:4747', 4747),
      ],
    });
    expect(v).toEqual({
      kind: 'tunnel',
      url: 'https://d95211d2.ngrok-free.app',
      hint: 'paste this into Persona’s dashboard (Integration → Webhooks)',
      title: 'ngrok forwards https://d95211d2.ngrok-free.app to http://localhost:4747',
    });
  });

  it('names the ports the tunnels lead to instead, once each, and what to run', () => {
    const v = ngrokView({
      kind: 'other_ports',
      port: 4747,
      tunnels: [
        tunnel('https://a.ngrok-free.app', 'http://localhost:3000', 3000),
        tunnel('http://a.ngrok-free.app', 'http://localhost:3000', 3000),
        tunnel('https://b.ngrok-free.app', 'foo.local:4747', null),
      ],
    });
    expect(v?.kind).toBe('elsewhere');
    expect(v).toMatchObject({
      text: 'ngrok forwards to 3000 and foo.local:4747, not 4747 — run ngrok http 4747',
      command: 'ngrok http 4747',
    });
    expect(v?.title.split('\n')).toEqual([
      'https://a.ngrok-free.app → http://localhost:3000',
      'http://a.ngrok-free.app → http://localhost:3000',
      'https://b.ngrok-free.app → foo.local:4747',
    ]);
  });

  it('says so when the agent runs with no HTTP tunnel at all', () => {
    expect(ngrokView({ kind: 'other_ports', port: 5000, tunnels: [] })).toMatchObject({
      kind: 'elsewhere',
      text: 'ngrok is running, but none of its HTTP tunnels forwards to 5000 — run ngrok http 5000',
    });
  });
});

describe('joinWords', () => {
  it('joins as a sentence does', () => {
    expect(joinWords([])).toBe('');
    expect(joinWords(['3000'])).toBe('3000');
    expect(joinWords(['3000', '8080'])).toBe('3000 and 8080');
    expect(joinWords(['1', '2', '3'])).toBe('1, 2 and 3');
  });
});
