# One image recipe for both services: docker build --build-arg MODULE=api-service|indexer-worker .
# Build the jars first (mvn -DskipTests package); the image only packages them.
FROM eclipse-temurin:17-jre
ARG MODULE
RUN useradd --system --uid 10001 app
COPY ${MODULE}/target/${MODULE}.jar /app/app.jar
USER app
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/app.jar"]
