// The recording player and its stylesheet, in one chunk that replays load only when they need it.
import 'asciinema-player/dist/bundle/asciinema-player.css';

export { create } from 'asciinema-player';
