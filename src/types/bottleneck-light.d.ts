// bottleneck/light.js is the build the throttling plugin itself loads; it has the full build's API
// without the Redis clustering code, but ships no declaration of its own.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
